//go:build linux && (amd64 || arm64)

package initd

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// kernelSigaction is struct sigaction as rt_sigaction(2) takes it on amd64
// and arm64: handler, flags, restorer, then the 64-bit mask. Other
// architectures order or size the fields differently, so this file builds
// for these two only.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// sigIgn is SIG_IGN's handler value; SIG_DFL is 0.
const sigIgn = 1

// sigPerThreadSyscall is signal 33, glibc's SIGSETXID. The Go runtime of a
// binary built without cgo installs its own handler for it whatever the
// inherited action, and uses it to run a system call such as setgroups on
// every thread (runtime/os_linux.go and signal_unix.go, Go 1.26).
const sigPerThreadSyscall = 33

// resetReservedSignals sets signals 32 and 34 back to their default action
// when nginit inherited them ignored. The Go runtime installs no handler
// for them and keeps an inherited SIG_IGN (Go 1.26), which would otherwise
// pass through fork and exec to nginx, so nginx would start with signals
// ignored that it never asked to ignore. The default action applies to
// nginit too, which is what it has when nothing ignored them: a PID 1 drops
// them, any other nginit is terminated. Signal 33 is skipped: in a binary
// built without cgo, as nginit is, the Go runtime has its own handler
// there, and execve resets a handled signal to the default for the child.
func resetReservedSignals() {
	for sig := 32; sig <= sigRTMin; sig++ {
		if sig == sigPerThreadSyscall {
			continue
		}
		var old kernelSigaction
		_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0)
		if errno != 0 || old.handler != sigIgn {
			continue
		}
		var dfl kernelSigaction
		unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
	}
}

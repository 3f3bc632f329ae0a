package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"
)

// releaseFD is the read end of the release pipe in the spawner and in every
// orphan.
const releaseFD = 3

// readBuffer is global so that an orphan, a forked copy with one thread,
// never allocates.
var readBuffer [1]byte

// spawn forks n orphans, writes their pids to stdout, one a line, then
// "done", and returns, so the orphans lose their parent.
//
// The orphans are raw forks rather than executed programs: 10,000 Go runtimes
// would need gigabytes, while a forked copy shares its pages with the others.
func spawn(count string) error {
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 {
		return fmt.Errorf("spawn: invalid count %q", count)
	}
	runtime.LockOSThread()

	out := bufio.NewWriter(os.Stdout)
	for i := 0; i < n; i++ {
		pid, _, errno := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
		if errno != 0 {
			return fmt.Errorf("clone orphan %d: %w", i, errno)
		}
		if pid == 0 {
			orphan()
		}
		fmt.Fprintln(out, pid)
	}
	fmt.Fprintln(out, "done")
	return out.Flush()
}

// orphan runs in the forked child, which has only the forking thread. It
// makes raw system calls only: no allocation, no scheduler, no locks. It
// closes the standard descriptors so that no pipe of the benchmark stays
// open, blocks until the release pipe is closed, and exits.
//
//go:nosplit
func orphan() {
	for fd := uintptr(0); fd < 3; fd++ {
		syscall.RawSyscall(syscall.SYS_CLOSE, fd, 0, 0)
	}
	for {
		n, _, errno := syscall.RawSyscall(syscall.SYS_READ, releaseFD, uintptr(unsafe.Pointer(&readBuffer[0])), 1)
		if errno == syscall.EINTR || (errno == 0 && n > 0) {
			continue
		}
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
}

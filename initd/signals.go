package initd

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// How nginit treats each signal, from Notify until it exits:
//
//	SIGTERM, SIGQUIT, SIGINT  stop request: start the stop sequence, and skip to
//	                          its next step when one is already running. SIGINT
//	                          is the interactive Ctrl-C, so a second Ctrl-C
//	                          escalates like a second SIGTERM.
//	SIGCHLD                   wakes the reaper; never forwarded.
//	SIGURG, SIGPROF           owned by the Go runtime: goroutine preemption (Go
//	                          1.14 and later) and the CPU profiler, whose handler
//	                          consumes even a SIGPROF sent with kill (Go 1.26);
//	                          not subscribed, never forwarded.
//	SIGKILL, SIGSTOP          cannot be caught.
//	SIGPIPE                   caught, so that writing to a closed stderr returns
//	                          EPIPE instead of killing nginit. Never forwarded, and
//	                          never logged because the log line could raise it again.
//	SIGTTIN, SIGTTOU          ignored once the child runs, so that nginit, in a
//	                          background process group after handing the terminal
//	                          to nginx, can still log and restore the terminal;
//	                          never forwarded. The child starts with the default
//	                          action because they are only ignored after it starts.
//	signals 32, 33 and 34     reserved by glibc's thread library (cancellation and
//	                          setxid) and by musl (synccall), so forwarding them
//	                          would break a child. The Go runtime does not let a
//	                          program catch them (Go 1.26). It handles 33 itself
//	                          in a binary built without cgo, as nginit is, to run
//	                          a system call on every thread, and drops a 33 sent
//	                          with kill. 32 and 34 keep the default action: a
//	                          PID 1 drops them, and any other nginit is terminated
//	                          by them.
//	every other signal        forwarded as-is to the nginx master, or to its whole
//	                          process group with Config.SignalGroup: SIGHUP
//	                          reloads the configuration and SIGUSR1 reopens the
//	                          logs. SIGUSR2 and SIGWINCH are forwarded too, but
//	                          nginx 1.22 in the foreground (daemon off) ignores
//	                          them. It acts on SIGWINCH only when daemonized, and
//	                          it rejects a binary upgrade while its parent is
//	                          still the process that started it, logging "the
//	                          changing binary signal is ignored". SIGTSTP and
//	                          SIGCONT are forwarded too, and nginit itself never
//	                          stops. The stop sequence sends SIGCONT after each
//	                          stop signal, so a child stopped by SIGTSTP still
//	                          shuts down. Realtime signals 35 to 64 are forwarded,
//	                          named SIGRTMIN+n after glibc's SIGRTMIN of 34.
//
// NOTE: between exec and the first statement of main, the Go runtime owns the
// signals and applies Go's default actions. SIGTERM ends nginit, or makes a
// PID 1 exit with status 2. SIGQUIT prints a goroutine dump and exits with
// status 2. The window is under a millisecond (fork to main took about 1 ms on
// a 2-core VM with Go 1.26). A Go program cannot run code before its runtime
// starts, so only a loader written in another language could close it.

// Signal numbers by glibc's convention: it reserves 32 and 33 and starts
// SIGRTMIN at 34. SIGRTMAX is 64 on Linux.
const (
	sigRTMin = 34
	sigRTMax = 64
)

// Signals is the subscription made by Notify. Run reads from it; nothing else
// should. Its methods are not safe for concurrent use.
type Signals struct {
	ch chan os.Signal // every subscribed signal except SIGCHLD

	// chld carries SIGCHLD alone with a buffer of one. A full buffer drops
	// further SIGCHLDs, which is fine because the reaper loops until no child
	// is left to collect, so a pending wakeup covers every exit.
	chld chan os.Signal

	early []syscall.Signal // drained from ch by Pending, handled first by Run
}

// Notify subscribes every catchable signal and returns the subscription.
// Call it as the very first statement of the program, so that a SIGTERM or
// SIGQUIT during start-up is queued as a stop request instead of taking Go's
// default action (SIGQUIT's default is a goroutine dump and exit status 2).
func Notify() *Signals {
	s := &Signals{
		// Go drops a signal when the channel is full, so leave room for a burst
		// of different signals while nginit is busy starting nginx.
		ch:   make(chan os.Signal, 64),
		chld: make(chan os.Signal, 1),
	}
	signal.Notify(s.chld, syscall.SIGCHLD)
	signal.Notify(s.ch, subscribed()...)
	return s
}

// Stop ends the subscription. Signals then take Go's default action again.
func (s *Signals) Stop() {
	signal.Stop(s.ch)
	signal.Stop(s.chld)
}

// Pending reports whether a stop request (SIGTERM, SIGQUIT or SIGINT) has
// arrived since Notify, and keeps the signals it drains for Run. When a stop
// request is pending, Run returns status 0 without starting the child, because
// nothing runs yet that needs stopping. cmd/nginit may call Pending to skip
// its own preparation as well.
func (s *Signals) Pending() bool {
	s.drain()
	for _, sig := range s.early {
		if isStopRequest(sig) {
			return true
		}
	}
	return false
}

func (s *Signals) drain() {
	for {
		select {
		case sig := <-s.ch:
			s.early = append(s.early, sig.(syscall.Signal))
		default:
			return
		}
	}
}

// subscribed lists every signal that Notify catches: all of 1 to 64 except the
// ones the kernel, the Go runtime or the C libraries own, and SIGCHLD, which
// has its own channel.
func subscribed() []os.Signal {
	var sigs []os.Signal
	for n := 1; n <= sigRTMax; n++ {
		switch sig := syscall.Signal(n); {
		case sig == syscall.SIGKILL, sig == syscall.SIGSTOP, sig == syscall.SIGCHLD:
		case sig == syscall.SIGURG, sig == syscall.SIGPROF:
		case n >= 32 && n <= 34:
		default:
			sigs = append(sigs, sig)
		}
	}
	return sigs
}

// isStopRequest reports whether sig starts the stop sequence.
func isStopRequest(sig syscall.Signal) bool {
	return sig == syscall.SIGTERM || sig == syscall.SIGQUIT || sig == syscall.SIGINT
}

// isForwarded reports whether sig goes on to the child. Stop requests are
// handled by the stop sequence instead.
func isForwarded(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGPIPE, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGCHLD, syscall.SIGURG, syscall.SIGPROF:
		return false
	}
	return !isStopRequest(sig)
}

// SignalName returns the name of sig for logs: "SIGQUIT", "SIGRTMIN+2", or
// "signal 33" for a number without a name.
func SignalName(sig syscall.Signal) string {
	if sig >= sigRTMin && sig <= sigRTMax {
		if sig == sigRTMin {
			return "SIGRTMIN"
		}
		return "SIGRTMIN+" + strconv.Itoa(int(sig-sigRTMin))
	}
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return "signal " + strconv.Itoa(int(sig))
}

// ParseSignal parses a signal given by name ("SIGQUIT", "QUIT", "sigquit",
// "SIGRTMIN+2") or number ("3"), as NGINIT_STOP_SIGNAL accepts it. Any signal
// from 1 to 64 is accepted; whether it suits the caller's purpose is the
// caller's check.
func ParseSignal(value string) (syscall.Signal, error) {
	name := strings.ToUpper(strings.TrimSpace(value))
	if n, err := strconv.Atoi(name); err == nil {
		if n < 1 || n > sigRTMax {
			return 0, fmt.Errorf("invalid signal %q: number out of range 1-%d", value, sigRTMax)
		}
		return syscall.Signal(n), nil
	}
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	for n := 1; n <= sigRTMax; n++ {
		if SignalName(syscall.Signal(n)) == name {
			return syscall.Signal(n), nil
		}
	}
	return 0, fmt.Errorf("invalid signal %q: not a signal name such as SIGQUIT or a number", value)
}

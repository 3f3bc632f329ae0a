package initd_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nginit/nginit/initd"
)

func TestExitStatusPassedOn(t *testing.T) {
	for _, code := range []int{0, 1, 2, 32, 64, 127, 254, 255} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			p := startInit(t, nil, testchildBin, "exit", fmt.Sprint(code))
			if got := p.wait(10 * time.Second); got != code {
				t.Errorf("exit status = %d, want %d", got, code)
			}
		})
	}
}

func TestExitStatusKilledBySignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGKILL, syscall.SIGUSR1, syscall.SIGSEGV} {
		t.Run(unix.SignalName(sig), func(t *testing.T) {
			p := startInit(t, nil, testchildBin, "kill", fmt.Sprint(int(sig)))
			if got, want := p.wait(10*time.Second), 128+int(sig); got != want {
				t.Errorf("exit status = %d, want %d", got, want)
			}
		})
	}
}

func TestCommandCannotStart(t *testing.T) {
	tests := []struct {
		name    string
		command string
		want    int
		message string
	}{
		{"not in PATH", "nginit-no-such-command", 127, "command not found"},
		{"missing path", "/nonexistent/nginx", 127, "command not found"},
		{"not executable", "/etc/hostname", 126, "command not executable"},
		{"directory", "/etc", 126, "command not executable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startInit(t, nil, tt.command)
			if got := p.wait(10 * time.Second); got != tt.want {
				t.Errorf("exit status = %d, want %d", got, tt.want)
			}
			if stderr := p.stderr.String(); !strings.Contains(stderr, tt.message) || !strings.Contains(stderr, tt.command) {
				t.Errorf("stderr = %q, want it to contain %q and %q", stderr, tt.message, tt.command)
			}
		})
	}
}

// forwardedSignals are all the signals below 32 that reach the child as they
// are: every catchable one except the stop requests, SIGCHLD, SIGPIPE, SIGTTIN,
// SIGTTOU, and SIGURG and SIGPROF, which the Go runtime owns. Some realtime
// signals are added.
var forwardedSignals = []syscall.Signal{
	syscall.SIGHUP, syscall.SIGILL, syscall.SIGTRAP, syscall.SIGABRT, syscall.SIGBUS,
	syscall.SIGFPE, syscall.SIGUSR1, syscall.SIGSEGV, syscall.SIGUSR2, syscall.SIGALRM,
	syscall.SIGSTKFLT, syscall.SIGCONT, syscall.SIGTSTP, syscall.SIGXCPU, syscall.SIGXFSZ,
	syscall.SIGVTALRM, syscall.SIGWINCH, syscall.SIGIO, syscall.SIGPWR,
	syscall.SIGSYS, 35, 40, 64,
}

func TestForwardsEachSignal(t *testing.T) {
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, []string{"NGINIT_STOP_TIMEOUT=60s"}, testchildBin, "record", file)
	child := waitReady(t, file)

	var want []string
	for i, sig := range forwardedSignals {
		p.signal(sig)
		got := waitRecorded(t, file, i+1)
		want = append(want, initd.SignalName(sig))
		if got[i] != want[i] {
			t.Fatalf("child recorded %q after %s was sent to nginit, want %q", got[i], unix.SignalName(sig), want[i])
		}
	}
	for _, name := range []string{"SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH"} {
		if line := fmt.Sprintf("forwarded %s to pid %d", name, child); !strings.Contains(p.stderr.String(), line) {
			t.Errorf("stderr lacks %q", line)
		}
	}

	// The child exits on the graceful SIGQUIT, so nginit returns at once
	// instead of after the 60s stop timeout.
	p.signal(syscall.SIGTERM)
	if got := p.wait(10 * time.Second); got != 0 {
		t.Errorf("exit status after SIGTERM = %d, want 0", got)
	}
	if got := recordedWithoutCont(file); len(got) == 0 || got[len(got)-1] != "SIGQUIT" {
		t.Errorf("last signal recorded = %q, want SIGQUIT", got[len(got)-1])
	}
}

func TestSignalsNotForwarded(t *testing.T) {
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, nil, testchildBin, "record", file)
	waitReady(t, file)

	// SIGHUP comes last as a marker: once it is recorded, the others have
	// been handled by nginit, because one goroutine handles them in order.
	for _, sig := range []syscall.Signal{syscall.SIGPIPE, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGURG, syscall.SIGCHLD, syscall.SIGHUP} {
		p.signal(sig)
	}
	got := waitRecorded(t, file, 1)
	time.Sleep(50 * time.Millisecond) // a late stray signal would show up by now
	if got = recorded(file); !slices.Equal(got, []string{"SIGHUP"}) {
		t.Errorf("child recorded %q, want only SIGHUP", got)
	}

	p.signal(syscall.SIGTERM)
	if got := p.wait(10 * time.Second); got != 0 {
		t.Errorf("exit status = %d, want 0", got)
	}
}

func TestSignalGroup(t *testing.T) {
	for _, group := range []bool{false, true} {
		t.Run(fmt.Sprintf("group=%t", group), func(t *testing.T) {
			dir := t.TempDir()
			master, worker := filepath.Join(dir, "master"), filepath.Join(dir, "worker")
			env := []string{"NGINIT_SIGNAL_GROUP=0", "NGINIT_KILL_GRACE=300ms"}
			if group {
				env[0] = "NGINIT_SIGNAL_GROUP=1"
			}
			p := startInit(t, env, testchildBin, "record", master, "-worker", worker)
			pgid := waitReady(t, master)
			killProcessGroupOnCleanup(t, pgid)

			p.signal(syscall.SIGHUP)
			waitRecorded(t, master, 1)
			if group {
				if got := waitRecorded(t, worker, 1); got[0] != "SIGHUP" {
					t.Errorf("worker recorded %q, want SIGHUP", got)
				}
			} else {
				time.Sleep(100 * time.Millisecond)
				if got := recorded(worker); len(got) != 0 {
					t.Errorf("worker recorded %q, want nothing: only the master gets signals", got)
				}
			}

			// The worker never exits on a signal, so it is left behind when
			// the master exits, and nginit must end it.
			p.signal(syscall.SIGTERM)
			if got := p.wait(10 * time.Second); got != 0 {
				t.Errorf("exit status = %d, want 0", got)
			}
			if unix.Kill(-pgid, 0) != unix.ESRCH {
				t.Errorf("process group %d still has processes after nginit exited", pgid)
			}
		})
	}
}

func TestNoGoroutineDumpOnAnySignal(t *testing.T) {
	// The child ignores every stop request, so only the stop sequence's
	// SIGKILL ends it, while nginit receives every signal there is.
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, []string{"NGINIT_STOP_TIMEOUT=60s", "NGINIT_KILL_GRACE=60s"},
		testchildBin, "record", file, "-exit-on", "", "-ignore", "SIGQUIT,SIGTERM,SIGINT")
	waitReady(t, file)

	for n := 1; n <= 64; n++ {
		sig := syscall.Signal(n)
		if sig == syscall.SIGKILL || sig == syscall.SIGSTOP || (n >= 32 && n <= 34) || (n < 32 && isStopSignal(sig)) {
			continue
		}
		p.signal(sig)
	}
	time.Sleep(100 * time.Millisecond)
	select {
	case <-p.done:
		t.Fatalf("testinit exited on a signal that is not a stop request\nstderr:\n%s", p.stderr.String())
	default:
	}

	// Each stop request skips to the next step, the third to SIGKILL.
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGINT, syscall.SIGQUIT} {
		p.signal(sig)
		time.Sleep(20 * time.Millisecond)
	}
	if got := p.wait(10 * time.Second); got != 128+int(syscall.SIGKILL) {
		t.Errorf("exit status = %d, want %d", got, 128+int(syscall.SIGKILL))
	}
}

func isStopSignal(sig syscall.Signal) bool {
	return sig == syscall.SIGTERM || sig == syscall.SIGQUIT || sig == syscall.SIGINT
}

func TestForwardedSignalKillsChild(t *testing.T) {
	// A signal that the child does not handle kills it, and nginit passes
	// the death on as 128 plus the signal number.
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP} {
		t.Run(unix.SignalName(sig), func(t *testing.T) {
			p := startInit(t, nil, "sleep", "30")
			waitFor(t, 10*time.Second, "the child to start", func() bool {
				return len(childrenOf(p.pid())) > 0
			})
			p.signal(sig)
			if got, want := p.wait(10*time.Second), 128+int(sig); got != want {
				t.Errorf("exit status = %d, want %d", got, want)
			}
		})
	}
}

package initd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStopEscalatesToSIGKILL(t *testing.T) {
	// The child ignores SIGQUIT and survives SIGTERM, like a wedged nginx. It
	// ignores the SIGCONT that follows each stop signal too, because the
	// order in which two signals sent back to back are handled is not fixed.
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, []string{"NGINIT_STOP_TIMEOUT=300ms", "NGINIT_KILL_GRACE=300ms"},
		testchildBin, "record", file, "-ignore", "SIGQUIT,SIGCONT", "-exit-on", "")
	waitReady(t, file)

	p.signal(syscall.SIGTERM)
	if got, want := p.wait(10*time.Second), 128+int(syscall.SIGKILL); got != want {
		t.Errorf("exit status = %d, want %d", got, want)
	}
	// The ignored SIGQUIT and SIGCONT are never recorded.
	if got, want := recorded(file), []string{"SIGTERM"}; !slices.Equal(got, want) {
		t.Errorf("child recorded %q, want %q", got, want)
	}
	// A lower bound: the steps must not be skipped.
	if got := p.elapsed(); got < 600*time.Millisecond {
		t.Errorf("testinit ran %s, want at least the 300ms stop timeout plus the 300ms kill grace", got)
	}
	stderr := p.stderr.String()
	for _, step := range []string{"SIGQUIT sent after", "SIGTERM sent after", "SIGKILL sent to process group"} {
		if !strings.Contains(stderr, step) {
			t.Errorf("stderr lacks the step %q", step)
		}
	}
}

func TestStopEscalatesToSIGTERM(t *testing.T) {
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, []string{"NGINIT_STOP_TIMEOUT=300ms", "NGINIT_KILL_GRACE=60s"},
		testchildBin, "record", file, "-ignore", "SIGQUIT", "-exit-on", "SIGTERM", "-exit-code", "7")
	waitReady(t, file)

	p.signal(syscall.SIGTERM)
	if got := p.wait(10 * time.Second); got != 7 {
		t.Errorf("exit status = %d, want 7, the child's own", got)
	}
	if got := p.elapsed(); got < 300*time.Millisecond {
		t.Errorf("testinit ran %s, want at least the 300ms stop timeout", got)
	}
}

func TestStopDelayKeepsServing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, []string{"NGINIT_STOP_DELAY=300ms"}, testchildBin, "record", file, "-ignore", "SIGCONT")
	waitReady(t, file)

	p.signal(syscall.SIGTERM)
	requested := time.Now()
	p.signal(syscall.SIGHUP) // a reload during the delay still reaches nginx

	if got := waitRecorded(t, file, 1); got[0] != "SIGHUP" {
		t.Errorf("first signal recorded = %q, want SIGHUP", got[0])
	}
	if got := p.wait(10 * time.Second); got != 0 {
		t.Errorf("exit status = %d, want 0", got)
	}
	if got := time.Since(requested); got < 300*time.Millisecond {
		t.Errorf("child stopped %s after the stop request, want at least the 300ms delay", got)
	}
	if got := recorded(file); !slices.Equal(got, []string{"SIGHUP", "SIGQUIT"}) {
		t.Errorf("child recorded %q, want [SIGHUP SIGQUIT]", got)
	}
}

func TestSecondStopRequestSkipsAhead(t *testing.T) {
	// Every step would take a minute; each further stop request, SIGINT
	// (Ctrl-C) included, skips to the next one.
	file := filepath.Join(t.TempDir(), "signals")
	// The child ignores the SIGCONT that follows each stop signal, so that
	// only the stop signals are recorded.
	p := startInit(t, []string{"NGINIT_STOP_DELAY=60s", "NGINIT_STOP_TIMEOUT=60s", "NGINIT_KILL_GRACE=60s"},
		testchildBin, "record", file, "-exit-on", "", "-ignore", "SIGCONT")
	waitReady(t, file)

	p.signal(syscall.SIGTERM) // start the delay
	waitFor(t, 10*time.Second, "the stop delay to start", func() bool {
		return strings.Contains(p.stderr.String(), "keeps serving for 1m0s")
	})
	p.signal(syscall.SIGINT) // skip the delay: SIGQUIT
	if got := waitRecorded(t, file, 1); got[0] != "SIGQUIT" {
		t.Fatalf("child recorded %q, want SIGQUIT", got)
	}
	p.signal(syscall.SIGTERM) // skip the stop timeout: SIGTERM
	if got := waitRecorded(t, file, 2); got[1] != "SIGTERM" {
		t.Fatalf("child recorded %q, want SIGTERM second", got)
	}
	p.signal(syscall.SIGQUIT) // skip the kill grace: SIGKILL

	if got, want := p.wait(10*time.Second), 128+int(syscall.SIGKILL); got != want {
		t.Errorf("exit status = %d, want %d", got, want)
	}
}

func TestStopResumesStoppedChild(t *testing.T) {
	// SIGTSTP keeps its default action in the child, so the forwarded SIGTSTP
	// stops it, as it stops an nginx master.
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, []string{"NGINIT_STOP_TIMEOUT=60s", "NGINIT_KILL_GRACE=60s"},
		testchildBin, "record", file, "-default", "SIGTSTP")
	child := waitReady(t, file)

	p.signal(syscall.SIGTSTP)
	waitFor(t, 10*time.Second, "the child to be stopped", func() bool {
		return processState(child) == "T"
	})

	p.signal(syscall.SIGTERM)
	requested := time.Now()
	if got := p.wait(10 * time.Second); got != 0 {
		t.Errorf("exit status = %d, want 0 from the child's graceful exit", got)
	}
	if got := time.Since(requested); got > 5*time.Second {
		t.Errorf("child exited %s after the stop request, want well before the 60s stop timeout", got)
	}
	if got := recordedWithoutCont(file); len(got) == 0 || got[0] != "SIGQUIT" {
		t.Errorf("child recorded %q, want SIGQUIT first", got)
	}
}

func TestStopSignalSetting(t *testing.T) {
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, []string{"NGINIT_STOP_SIGNAL=SIGUSR2"}, testchildBin, "record", file, "-exit-on", "SIGUSR2")
	waitReady(t, file)

	p.signal(syscall.SIGQUIT)
	if got := p.wait(10 * time.Second); got != 0 {
		t.Errorf("exit status = %d, want 0", got)
	}
	if got := recordedWithoutCont(file); !slices.Equal(got, []string{"SIGUSR2"}) {
		t.Errorf("child recorded %q, want [SIGUSR2]", got)
	}
}

func TestChildExitReturnsAtOnce(t *testing.T) {
	// Long timeouts that nginit must never wait out when the child is gone.
	p := startInit(t, []string{"NGINIT_STOP_TIMEOUT=60s", "NGINIT_KILL_GRACE=60s"}, testchildBin, "exit", "3")
	if got := p.wait(10 * time.Second); got != 3 {
		t.Errorf("exit status = %d, want 3", got)
	}
}

func TestStopRequestDuringStartUp(t *testing.T) {
	// testinit raises the signal itself right after Notify, the earliest
	// moment nginit can handle it. Run then either has not started the child
	// (status 0) or stops it with SIGTERM (status 143). The child is coreutils
	// sleep, so an early signal cannot make a Go child print a dump of its own.
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGINT} {
		for i := range 10 {
			t.Run(strconv.Itoa(int(sig))+"/"+strconv.Itoa(i), func(t *testing.T) {
				p := startInit(t, []string{"NGINIT_STOP_SIGNAL=SIGTERM", "TESTINIT_RAISE=" + strconv.Itoa(int(sig))}, "sleep", "30")
				if got := p.wait(10 * time.Second); got != 0 && got != 128+int(syscall.SIGTERM) {
					t.Errorf("exit status = %d, want 0 or %d", got, 128+int(syscall.SIGTERM))
				}
			})
		}
	}
}

func TestStopRequestAsChildStarts(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGQUIT} {
		for i := range 10 {
			t.Run(strconv.Itoa(int(sig))+"/"+strconv.Itoa(i), func(t *testing.T) {
				p := startInit(t, []string{"NGINIT_STOP_SIGNAL=SIGTERM"}, "sleep", "30")
				waitFor(t, 10*time.Second, "the child to start", func() bool {
					return len(childrenOf(p.pid())) > 0
				})
				p.signal(sig)
				if got, want := p.wait(10*time.Second), 128+int(syscall.SIGTERM); got != want {
					t.Errorf("exit status = %d, want %d", got, want)
				}
			})
		}
	}
}

// childrenOf returns the pids of the children of process pid.
func childrenOf(pid int) []string {
	var children []string
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(task)
		children = append(children, strings.Fields(string(b))...)
	}
	return children
}

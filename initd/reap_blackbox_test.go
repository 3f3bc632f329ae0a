package initd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReapsThousandOrphans(t *testing.T) {
	// testinit is not PID 1 here: the test process is its parent, so the
	// orphans reach it only because it became a child subreaper.
	const orphans = 1000
	file := filepath.Join(t.TempDir(), "signals")
	p := startInit(t, []string{"NGINIT_DEBUG=1"}, testchildBin, "record", file, "-orphans", strconv.Itoa(orphans))
	pgid := waitReady(t, file)
	killProcessGroupOnCleanup(t, pgid)

	waitFor(t, 60*time.Second, fmt.Sprintf("%d orphans reaped", orphans), func() bool {
		return strings.Count(p.stderr.String(), "reaped orphan pid") >= orphans
	})
	waitFor(t, 10*time.Second, "no zombie children of testinit", func() bool {
		return len(zombieChildren(t, p.pid())) == 0
	})
	if got := strings.Count(p.stderr.String(), "reaped orphan pid"); got != orphans {
		t.Errorf("testinit reaped %d orphans, want %d", got, orphans)
	}
	if !strings.Contains(p.stderr.String(), "became a child subreaper") {
		t.Errorf("stderr lacks the subreaper message")
	}

	p.signal(syscall.SIGTERM)
	if got := p.wait(10 * time.Second); got != 0 {
		t.Errorf("exit status = %d, want 0", got)
	}
}

func TestProcessGroupEndedAfterMainExits(t *testing.T) {
	tests := []struct {
		name       string
		ignoreTerm bool
		wantSignal string // what ends the worker
	}{
		{"worker exits on SIGTERM", false, "SIGTERM"},
		{"worker ignores SIGTERM", true, "SIGKILL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "worker.pid")
			args := []string{testchildBin, "worker", "-pid-file", pidFile, "-then", "exit:4"}
			if tt.ignoreTerm {
				args = append(args, "-ignore-term")
			}
			p := startInit(t, []string{"NGINIT_KILL_GRACE=300ms"}, args...)

			if got := p.wait(10 * time.Second); got != 4 {
				t.Errorf("exit status = %d, want 4, the main child's", got)
			}
			worker := readPID(t, pidFile)
			if processExists(worker) {
				syscall.Kill(worker, syscall.SIGKILL)
				t.Fatalf("worker pid %d survived nginit", worker)
			}
			if got := recorded(pidFile + ".signals"); !tt.ignoreTerm && !slices.Equal(got, []string{"SIGTERM"}) {
				t.Errorf("worker recorded %q, want [SIGTERM]", got)
			}
			if tt.ignoreTerm && !strings.Contains(p.stderr.String(), "sending SIGKILL") {
				t.Errorf("stderr lacks the SIGKILL to the process group")
			}
		})
	}
}

func TestMasterKilledWhileWorkersSurvive(t *testing.T) {
	// The nginx master killed by the OOM killer leaves its workers holding the
	// port. nginit ends them and exits non-zero so that the container restarts.
	pidFile := filepath.Join(t.TempDir(), "worker.pid")
	p := startInit(t, nil, testchildBin, "worker", "-pid-file", pidFile, "-then", "kill:SIGKILL")

	if got, want := p.wait(10*time.Second), 128+int(syscall.SIGKILL); got != want {
		t.Errorf("exit status = %d, want %d", got, want)
	}
	if !strings.Contains(p.stderr.String(), "was killed by SIGKILL while processes of its group survive") {
		t.Errorf("stderr lacks the surviving-workers message")
	}
	if worker := readPID(t, pidFile); processExists(worker) {
		syscall.Kill(worker, syscall.SIGKILL)
		t.Errorf("worker pid %d survived nginit", worker)
	}
}

func TestChildResetsInheritedReservedSignals(t *testing.T) {
	// Signals 32 and 34 ignored by the process that started nginit must not reach the
	// child ignored: the Go runtime leaves them alone, so initd resets them.
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("initd resets ignored signals on amd64 and arm64 only")
	}
	p := startProgram(t, nil, testchildBin, "ignore-exec", "32", testchildBin, "ignore-exec", "34", testinitBin, "cat", "/proc/self/status")
	if got := p.wait(10 * time.Second); got != 0 {
		t.Fatalf("exit status = %d, want 0; stderr:\n%s", got, p.stderr.String())
	}
	if out := p.stdout.String(); !strings.Contains(out, "SigIgn:\t0000000000000000") {
		t.Errorf("child inherited ignored signals:\n%s", out)
	}
}

func TestChildStartState(t *testing.T) {
	// The child must start with no_new_privs, an empty signal mask, no ignored
	// signals (nginit ignores SIGTTIN and SIGTTOU only after the start) and its
	// own process group.
	p := startInit(t, nil, "cat", "/proc/self/status", "/proc/self/stat")
	if got := p.wait(10 * time.Second); got != 0 {
		t.Fatalf("exit status = %d, want 0", got)
	}
	out := p.stdout.String()

	for _, want := range []string{"NoNewPrivs:\t1", "SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"} {
		if !strings.Contains(out, want) {
			t.Errorf("child's /proc/self/status lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	stat := lines[len(lines)-1]
	fields := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
	pid, _, _ := strings.Cut(stat, " ")
	if fields[2] != pid {
		t.Errorf("child pid %s is in process group %s, want its own", pid, fields[2])
	}
}

func readPID(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestChildDiesWithNginit(t *testing.T) {
	// SIGKILL cannot be forwarded, so the parent-death signal must end the
	// child when nginit is killed while it is not PID 1.
	p := startInit(t, nil, "sleep", "30")
	var child int
	waitFor(t, 10*time.Second, "the child to start", func() bool {
		children := childrenOf(p.pid())
		if len(children) == 0 {
			return false
		}
		child, _ = strconv.Atoi(children[0])
		return child > 0
	})

	t.Cleanup(func() { syscall.Kill(child, syscall.SIGKILL) })

	p.signal(syscall.SIGKILL)
	waitFor(t, 10*time.Second, fmt.Sprintf("child pid %d to die", child), func() bool {
		return !processExists(child) || processState(child) == "Z"
	})
	// The child shares testinit's stderr pipe, so Wait returns only when the
	// child has gone too.
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("child pid %d still holds testinit's output 10s after testinit was killed", child)
	}
}

func TestChildStartsWithDefaultActions(t *testing.T) {
	// Whatever nginit inherits, here ignored signals from a shell's trap, the
	// child starts with every signal at its default action.
	cmd := newCommand(t, nil, "sh", "-c", `trap "" HUP INT QUIT TERM USR1 PIPE; exec "$0" "$@"`,
		testinitBin, "cat", "/proc/self/status")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("testinit: %v", err)
	}
	if !strings.Contains(string(out), "SigIgn:\t0000000000000000") {
		t.Errorf("child ignores signals:\n%s", out)
	}
}

// processState returns the state letter of process pid, or "" when it is gone.
func processState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return fields[0]
}

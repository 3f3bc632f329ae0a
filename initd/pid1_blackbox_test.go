package initd_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startPID1 runs testinit as PID 1 of a new PID namespace with its own /proc,
// as a container runtime does. unshare kills it if unshare itself dies.
func startPID1(t *testing.T, env []string, args ...string) *initProcess {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a new PID namespace needs root")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Fatalf("unshare (util-linux) is required for the PID 1 tests: %v", err)
	}
	unshareArgs := append([]string{"--pid", "--fork", "--mount-proc", "--kill-child", testinitBin}, args...)
	return startProgram(t, env, unshare, unshareArgs...)
}

func TestPID1SignalsFromInside(t *testing.T) {
	// The child sends each signal to its parent, PID 1, and waits until it is
	// forwarded back. The kernel delivers a signal from inside the namespace
	// to PID 1 only when PID 1 has a handler for it. The final SIGTERM is a
	// stop request, which nginit turns into the graceful SIGQUIT.
	file := filepath.Join(t.TempDir(), "signals")
	p := startPID1(t, []string{"NGINIT_DEBUG=1"},
		testchildBin, "record", file, "-send-parent", "SIGHUP,SIGUSR1,SIGUSR2,SIGWINCH,SIGTERM")

	if got := p.wait(20 * time.Second); got != 0 {
		t.Errorf("exit status = %d, want 0", got)
	}
	if got, want := recordedWithoutCont(file), []string{"SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGQUIT"}; !slices.Equal(got, want) {
		t.Errorf("child recorded %q, want %q", got, want)
	}
	stderr := p.stderr.String()
	if !strings.Contains(stderr, "pid 1, PID 1 true") {
		t.Errorf("testinit did not run as PID 1:\n%s", stderr)
	}
	if strings.Contains(stderr, "became a child subreaper") {
		t.Errorf("PID 1 became a subreaper, which it needs not:\n%s", stderr)
	}
}

func TestPID1ReapsOrphans(t *testing.T) {
	const orphans = 1000
	file := filepath.Join(t.TempDir(), "signals")
	p := startPID1(t, []string{"NGINIT_DEBUG=1"}, testchildBin, "record", file, "-orphans", strconv.Itoa(orphans))
	waitReady(t, file)

	// testinit's pid outside the namespace is the only child of unshare.
	var init int
	waitFor(t, 10*time.Second, "testinit under unshare", func() bool {
		children := childrenOf(p.pid())
		if len(children) != 1 {
			return false
		}
		init, _ = strconv.Atoi(children[0])
		return init > 0
	})

	waitFor(t, 60*time.Second, fmt.Sprintf("%d orphans reaped", orphans), func() bool {
		return strings.Count(p.stderr.String(), "reaped orphan pid") >= orphans
	})
	waitFor(t, 10*time.Second, "no zombie children of PID 1", func() bool {
		return len(zombieChildren(t, init)) == 0
	})
	if got := strings.Count(p.stderr.String(), "reaped orphan pid"); got != orphans {
		t.Errorf("PID 1 reaped %d orphans, want %d", got, orphans)
	}

	// A stop from outside the namespace, as docker stop sends it.
	if err := syscall.Kill(init, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if got := p.wait(10 * time.Second); got != 0 {
		t.Errorf("exit status = %d, want 0", got)
	}
}

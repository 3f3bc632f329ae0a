package initd_test

import (
	"fmt"
	"github.com/nginit/nginit/internal/testproc"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Paths of the helper programs that TestMain builds once per test run.
var (
	testinitBin  string
	testchildBin string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "initd-blackbox-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testinitBin = filepath.Join(dir, "testinit")
	testchildBin = filepath.Join(dir, "testchild")

	for bin, pkg := range map[string]string{testinitBin: "../internal/testinit", testchildBin: "../internal/testchild"} {
		build := exec.Command("go", "build", "-o", bin, pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}

	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// initProcess is a running testinit, the stand-in for nginit.
type initProcess struct {
	t       *testing.T
	cmd     *exec.Cmd
	stdout  testproc.Buffer
	stderr  testproc.Buffer
	started time.Time
	exited  time.Time // valid once done is closed
	done    chan struct{}
	err     error // from Wait, valid once done is closed
}

// startInit starts testinit with env added to the test's environment and
// args as the command it supervises, in a fresh temporary directory.
func startInit(t *testing.T, env []string, args ...string) *initProcess {
	t.Helper()
	return startProgram(t, env, testinitBin, args...)
}

// startProgram is startInit for a program that runs testinit itself, such as
// unshare.
func startProgram(t *testing.T, env []string, name string, args ...string) *initProcess {
	t.Helper()
	p := &initProcess{t: t, done: make(chan struct{})}
	p.cmd = newCommand(t, env, name, args...)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	p.start(t)
	return p
}

// newCommand returns a command with env added to the test's environment,
// to run in a fresh temporary directory.
func newCommand(t *testing.T, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

func (p *initProcess) start(t *testing.T) {
	t.Helper()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start testinit: %v", err)
	}
	p.started = time.Now()
	go func() {
		p.err = p.cmd.Wait()
		p.exited = time.Now()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("testinit stderr:\n%s", p.stderr.String())
		}
	})
}

func (p *initProcess) pid() int { return p.cmd.Process.Pid }

func (p *initProcess) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("send %v to testinit: %v", sig, err)
	}
}

// wait waits up to timeout for testinit to exit and returns its exit status.
// It fails the test when testinit was killed by a signal or printed a
// goroutine dump, which is Go's default action for SIGQUIT.
func (p *initProcess) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("testinit still running after %s\nstderr:\n%s", timeout, p.stderr.String())
	}

	ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		p.t.Fatalf("testinit was killed by %v\nstderr:\n%s", ws.Signal(), p.stderr.String())
	}
	assertNoGoroutineDump(p.t, p.stderr.String())
	return ws.ExitStatus()
}

// elapsed returns how long testinit ran. Call it after wait.
func (p *initProcess) elapsed() time.Duration {
	return p.exited.Sub(p.started)
}

func assertNoGoroutineDump(t *testing.T, stderr string) {
	t.Helper()
	for _, marker := range []string{"goroutine ", "SIGQUIT: quit"} {
		if strings.Contains(stderr, marker) {
			t.Errorf("stderr contains %q, a Go goroutine dump:\n%s", marker, stderr)
		}
	}
}

// waitFor polls cond every few milliseconds until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitReady waits for a recording testchild to create FILE.ready and returns
// its pid.
func waitReady(t *testing.T, file string) int {
	t.Helper()
	var pid int
	waitFor(t, 10*time.Second, file+".ready", func() bool {
		b, err := os.ReadFile(file + ".ready")
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(string(b))
		return err == nil
	})
	return pid
}

// recorded returns the signal names a recording testchild wrote to file.
func recorded(file string) []string {
	b, _ := os.ReadFile(file)
	text := strings.TrimSuffix(string(b), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// recordedWithoutCont is recorded without SIGCONT. nginit sends SIGCONT
// right after each stop-sequence signal, and two signals sent back to back
// may be handled in either order, so a child that exits on the stop signal
// records SIGCONT before it or not at all.
func recordedWithoutCont(file string) []string {
	var names []string
	for _, name := range recorded(file) {
		if name != "SIGCONT" {
			names = append(names, name)
		}
	}
	return names
}

// waitRecorded waits until file contains n signal names and returns them.
func waitRecorded(t *testing.T, file string, n int) []string {
	t.Helper()
	waitFor(t, 10*time.Second, fmt.Sprintf("%d signals recorded in %s", n, file), func() bool {
		return len(recorded(file)) >= n
	})
	return recorded(file)
}

// processExists reports whether pid names a process, zombies included.
func processExists(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}

// zombieChildren returns the pids of zombies whose parent is ppid.
func zombieChildren(t *testing.T, ppid int) []int {
	t.Helper()
	zombies, err := testproc.Zombies(ppid)
	if err != nil {
		t.Fatal(err)
	}
	return zombies
}

// killProcessGroupOnCleanup kills process group pgid when the test ends, in
// case a failing test left it behind.
func killProcessGroupOnCleanup(t *testing.T, pgid int) {
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL) })
}

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// fakeNginx writes an executable named nginx that records its arguments in
// args.txt and exits with status when it is given -t.
func fakeNginx(t *testing.T, status int) (path, argsFile string) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, "nginx")
	argsFile = filepath.Join(dir, "args.txt")
	script := "#!/bin/sh\necho \"$@\" > " + argsFile + "\necho 'nginx: [emerg] unexpected \"}\" in /etc/nginx/nginx.conf:3' >&2\nexit " + strconv.Itoa(status) + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, argsFile
}

// startSleeper starts a child that plays the running nginit and
// returns it; SIGHUP ends it.
func startSleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

func waitSignal(t *testing.T, cmd *exec.Cmd) syscall.Signal {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return ws.Signal()
			}
		}
		return 0
	case <-time.After(2 * time.Second):
		return 0
	}
}

func TestReloadSendsSIGHUPAfterTest(t *testing.T) {
	runtimeDir := t.TempDir()
	t.Setenv("NGINIT_RUNTIME_DIR", runtimeDir)
	nginx, argsFile := fakeNginx(t, 0)
	sleeper := startSleeper(t)
	if err := writeCommandRecord(runtimeDir, sleeper.Process.Pid, []string{nginx, "-g", "daemon off;"}, ""); err != nil {
		t.Fatal(err)
	}

	if got := runReload(nil); got != 0 {
		t.Fatalf("runReload = %d, want 0", got)
	}
	args, _ := os.ReadFile(argsFile)
	if string(args) != "-g daemon off; -t\n" {
		t.Errorf("nginx ran with %q, want the recorded arguments and -t", args)
	}
	if sig := waitSignal(t, sleeper); sig != syscall.SIGHUP {
		t.Errorf("running nginit got signal %v, want SIGHUP", sig)
	}
}

func TestReloadRejectsFailedTest(t *testing.T) {
	runtimeDir := t.TempDir()
	t.Setenv("NGINIT_RUNTIME_DIR", runtimeDir)
	nginx, _ := fakeNginx(t, 1)
	sleeper := startSleeper(t)
	if err := writeCommandRecord(runtimeDir, sleeper.Process.Pid, []string{nginx}, ""); err != nil {
		t.Fatal(err)
	}

	if got := runReload(nil); got != exitReloadRejected {
		t.Fatalf("runReload = %d, want %d", got, exitReloadRejected)
	}
	if err := sleeper.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("running nginit was signalled although the test failed: %v", err)
	}
}

func TestReloadWithoutRunningNginit(t *testing.T) {
	runtimeDir := t.TempDir()
	t.Setenv("NGINIT_RUNTIME_DIR", runtimeDir)
	if got := runReload(nil); got != exitReloadRejected {
		t.Errorf("runReload(no record) = %d, want %d", got, exitReloadRejected)
	}

	// A record whose process has exited must not signal a recycled pid.
	nginx, _ := fakeNginx(t, 0)
	sleeper := startSleeper(t)
	if err := writeCommandRecord(runtimeDir, sleeper.Process.Pid, []string{nginx}, ""); err != nil {
		t.Fatal(err)
	}
	sleeper.Process.Kill()
	sleeper.Wait()
	if got := runReload(nil); got != exitReloadRejected {
		t.Errorf("runReload(stale record) = %d, want %d", got, exitReloadRejected)
	}
}

func TestReloadRejectsOtherCommand(t *testing.T) {
	runtimeDir := t.TempDir()
	t.Setenv("NGINIT_RUNTIME_DIR", runtimeDir)
	sleeper := startSleeper(t)
	if err := writeCommandRecord(runtimeDir, sleeper.Process.Pid, []string{"/bin/true"}, ""); err != nil {
		t.Fatal(err)
	}
	if got := runReload(nil); got != exitReloadRejected {
		t.Errorf("runReload(command /bin/true) = %d, want %d", got, exitReloadRejected)
	}
}

func TestReloadRejectsOtherPIDNamespace(t *testing.T) {
	nginx, _ := fakeNginx(t, 0)
	runtimeDir := t.TempDir()
	t.Setenv("NGINIT_RUNTIME_DIR", runtimeDir)
	sleeper := startSleeper(t)

	start, err := processStartTime(sleeper.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := pidNamespace()
	if err != nil {
		t.Fatal(err)
	}
	// A record written in another pid namespace names a pid that means
	// another process here.
	rec := commandRecord{PID: sleeper.Process.Pid, StartTime: start, PIDNamespace: ns + 1, Argv: []string{nginx}}
	if err := os.WriteFile(filepath.Join(runtimeDir, commandRecordName), rec.marshal(), 0o644); err != nil {
		t.Fatal(err)
	}

	if got := runReload(nil); got != exitReloadRejected {
		t.Errorf("runReload with a record from another pid namespace = %d, want %d", got, exitReloadRejected)
	}
	if sig := waitSignal(t, sleeper); sig != 0 {
		t.Errorf("the process at the recorded pid got %v, want no signal", sig)
	}
}

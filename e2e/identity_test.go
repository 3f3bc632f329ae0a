package e2e

import (
	"bytes"
	"errors"
	"github.com/nginit/nginit/internal/testuser"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestNginitRejectsSetuidRootCopy(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a setuid-root file and to start a process as uid 101")
	}

	dir, copyPath := copyNginitForUID101(t)
	if err := os.Chmod(copyPath, 0o755|os.ModeSetuid); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(copyPath, "--", "/bin/true")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 101, Gid: 101}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("setuid-root nginit still running after 10s")
	}

	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != exitRoot {
		t.Errorf("setuid-root nginit as uid 101: %v, want exit status %d", err, exitRoot)
	}
	for _, part := range []string{"the setuid bit", "mode 4755", "-rwsr-xr-x", "chmod ug-s " + copyPath} {
		if !strings.Contains(stderr.String(), part) {
			t.Errorf("stderr = %q, want it to contain %q", stderr.String(), part)
		}
	}
}

func TestNginitRejectsFileCapabilities(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to set a file capability and to start a process as uid 101")
	}
	setcap := lookSetcap(t)

	dir, copyPath := copyNginitForUID101(t)
	// A file capability raises privileges at exec without any setuid bit,
	// which the kernel reports to the process as AT_SECURE.
	if out, err := exec.Command(setcap, "cap_net_bind_service=+ep", copyPath).CombinedOutput(); err != nil {
		t.Fatalf("setcap: %v\n%s", err, out)
	}

	cmd := exec.Command(copyPath, "--", "/bin/true")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 101, Gid: 101}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()

	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != exitRoot {
		t.Errorf("nginit with a file capability as uid 101: %v, want exit status %d; stderr:\n%s", err, exitRoot, stderr.String())
	}
	if !strings.Contains(stderr.String(), "setcap -r "+copyPath) {
		t.Errorf("stderr = %q, want it to name the fix setcap -r", stderr.String())
	}
}

// copyNginitForUID101 copies the built nginit into a directory of its own
// that uid 101 can search, because t.TempDir is 0700, so a test can change
// the copy's mode or capabilities. It returns the directory and the copy.
func copyNginitForUID101(t *testing.T) (dir, path string) {
	t.Helper()
	dir = testuser.FixtureDir(t, "nginit-e2e")
	binary, err := os.ReadFile(builtNginit(t))
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "nginit")
	if err := os.WriteFile(path, binary, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

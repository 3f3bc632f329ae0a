package initd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// capNetBindServiceMask is CAP_NET_BIND_SERVICE (bit 10) as /proc/PID/status
// prints a capability set.
const capNetBindServiceMask = "0000000000000400"

// setcapDir returns a directory that uid 101 can enter, holding a copy of
// testinit and a copy of cat with cap_net_bind_service=+ep.
func setcapDir(t *testing.T) (testinit, capCat string) {
	t.Helper()
	if os.Geteuid() != 0 {
		requireOrSkip(t, "setcap and a switch to uid 101 need root")
	}
	setcap, err := exec.LookPath("setcap")
	if err != nil {
		requireOrSkip(t, "setcap not installed (Debian package libcap2-bin)")
	}

	dir := t.TempDir()
	// t.TempDir creates both levels 0700.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	testinit = filepath.Join(dir, "testinit")
	capCat = filepath.Join(dir, "cat")
	copyFile(t, testinitBin, testinit)
	copyFile(t, "/bin/cat", capCat)
	if out, err := exec.Command(setcap, "cap_net_bind_service=+ep", capCat).CombinedOutput(); err != nil {
		t.Fatalf("setcap cap_net_bind_service=+ep %s: %v\n%s", capCat, err, out)
	}
	return testinit, capCat
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func requireOrSkip(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("NGINIT_E2E") == "required" {
		t.Fatalf("%s, and NGINIT_E2E=required", reason)
	}
	t.Skip(reason)
}

// statusField returns the value of a field of /proc/PID/status text.
func statusField(status, name string) string {
	for line := range strings.Lines(status) {
		if value, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

func TestChildGainsFileCapabilities(t *testing.T) {
	testinit, capCat := setcapDir(t)

	p := &initProcess{t: t, done: make(chan struct{})}
	p.cmd = newCommand(t, nil, testinit, capCat, "/proc/self/status")
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 101, Gid: 101}}
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	p.start(t)
	if got := p.wait(10 * time.Second); got != 0 {
		t.Fatalf("exit status = %d, want 0; stderr:\n%s", got, p.stderr.String())
	}

	status := p.stdout.String()
	if got := statusField(status, "Uid"); !strings.HasPrefix(got, "101") {
		t.Fatalf("child Uid = %q, want 101", got)
	}
	if got := statusField(status, "NoNewPrivs"); got != "0" {
		t.Errorf("child NoNewPrivs = %q, want 0 for an executable with file capabilities", got)
	}
	if got := statusField(status, "CapEff"); got != capNetBindServiceMask {
		t.Errorf("child CapEff = %q, want %s (CAP_NET_BIND_SERVICE from the file)", got, capNetBindServiceMask)
	}
	if want := "started it without no_new_privs"; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, p.stderr.String())
	}
}

func TestPlatformNoNewPrivsBlocksFileCapabilities(t *testing.T) {
	testinit, capCat := setcapDir(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		requireOrSkip(t, "setpriv not installed (Debian package util-linux)")
	}

	// setpriv plays a runtime started with no-new-privileges. The permitted
	// set it retains is dropped at the execve of testinit.
	p := startProgram(t, nil, setpriv, "--reuid=101", "--regid=101", "--clear-groups", "--no-new-privs",
		testinit, capCat, "/proc/self/status")
	if got := p.wait(10 * time.Second); got != 0 {
		t.Fatalf("exit status = %d, want 0; stderr:\n%s", got, p.stderr.String())
	}

	status := p.stdout.String()
	if got := statusField(status, "CapEff"); got != "0000000000000000" {
		t.Errorf("child CapEff = %q, want none under the platform's no_new_privs", got)
	}
	if want := "the platform set no_new_privs"; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, p.stderr.String())
	}
}

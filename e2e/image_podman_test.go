package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// podman runs podman against a store of its own under the test's temporary
// directory, so that no image, container, lock or event leaks into the
// host's /var/lib/containers, /run/libpod or /etc/cni.
type podman struct {
	t      testing.TB
	dir    string
	global []string
	env    []string
}

// podmanGlobalFlags are the flags that podman 4.3 (Debian 12) needs on a
// host without systemd and without a Docker-style setup:
//   - vfs, because overlay on this host's root filesystem is not guaranteed
//     and vfs needs no kernel support at all;
//   - the file events backend, because journald is absent;
//   - cgroupfs, because there is no systemd to create scopes;
//   - runc, the OCI runtime the rest of the suite uses.
var podmanGlobalFlags = []string{
	"--storage-driver", "vfs",
	"--events-backend", "file",
	"--cgroup-manager", "cgroupfs",
	"--runtime", "runc",
}

// podmanRunFlags are the flags every `podman run` of the suite adds:
//   - podman's default RLIMIT_NOFILE and RLIMIT_NPROC (1048576 and more)
//     exceed this host's hard limits, so runc fails with "error setting
//     rlimits ... operation not permitted" unless the limits are lowered;
//   - the image's HEALTHCHECK would need a systemd timer, which does not
//     exist here, so the test runs the health command itself with exec;
//   - --network none gives the container a network namespace with only its
//     own loopback interface, which the test reaches with setns.
var podmanRunFlags = []string{
	"--pull=never",
	"--no-healthcheck",
	"--ulimit", "nofile=1024:4096",
	"--ulimit", "nproc=4096:4096",
	"--network", "none",
}

// registriesConf makes every short image name an error and so keeps podman
// from resolving one against a public registry.
const registriesConf = "unqualified-search-registries = []\nshort-name-mode = \"enforcing\"\n"

// imagePrerequisites returns what the image tests need and the host lacks.
func imagePrerequisites() []string {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root: podman's vfs store and runc need it")
	}
	for _, tool := range []string{"podman", "runc", "nginx", "ldd", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool+": apt-get install podman runc nginx (ldd is in libc-bin)")
		}
	}
	return missing
}

// requireImagePrerequisites skips t when the host cannot build and run
// images, or fails it when NGINIT_E2E=required, as in CI.
func requireImagePrerequisites(t *testing.T) {
	t.Helper()
	missing := imagePrerequisites()
	if len(missing) == 0 {
		return
	}
	msg := "image tests need:\n\t" + strings.Join(missing, "\n\t")
	if os.Getenv("NGINIT_E2E") == "required" {
		t.Fatal(msg)
	}
	t.Skip(msg + "\n(set NGINIT_E2E=required to fail instead)")
}

// newPodman creates a private podman store and registers a cleanup that
// removes every container and image in it, detaches the mounts podman left
// and deletes the store, on failure too.
func newPodman(t *testing.T) *podman {
	t.Helper()
	dir, err := os.MkdirTemp("", "nginit-image-")
	if err != nil {
		t.Fatalf("create podman directory: %v", err)
	}
	conf := filepath.Join(dir, "registries.conf")
	if err := os.WriteFile(conf, []byte(registriesConf), 0o644); err != nil {
		t.Fatalf("write %s: %v", conf, err)
	}
	p := &podman{
		t:   t,
		dir: dir,
		global: append([]string{
			"--root", filepath.Join(dir, "root"),
			"--runroot", filepath.Join(dir, "runroot"),
			"--tmpdir", filepath.Join(dir, "libpod"),
			"--network-config-dir", filepath.Join(dir, "cni"),
		}, podmanGlobalFlags...),
		env: append(os.Environ(), "CONTAINERS_REGISTRIES_CONF="+conf),
	}
	t.Cleanup(p.cleanup)
	return p
}

// command returns a podman command with the store's global flags.
func (p *podman) command(args ...string) *exec.Cmd {
	cmd := exec.Command("podman", append(append([]string{}, p.global...), args...)...)
	cmd.Env = p.env
	return cmd
}

// run runs podman and returns its stdout, or an error that includes its
// stderr.
func (p *podman) run(args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := p.command(args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("podman %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// must is run that fails t on an error.
func (p *podman) must(t testing.TB, args ...string) string {
	t.Helper()
	out, err := p.run(args...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// startContainer runs image detached with podmanRunFlags, extra flags and
// args, and returns the container's name. Its output is logged when the
// test fails.
func (p *podman) startContainer(t *testing.T, image string, flags []string, args ...string) string {
	t.Helper()
	name := newContainerName(t)
	runArgs := append([]string{"run", "--detach", "--name", name}, podmanRunFlags...)
	runArgs = append(runArgs, flags...)
	runArgs = append(runArgs, image)
	runArgs = append(runArgs, args...)
	p.must(t, runArgs...)
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := p.command("logs", name).CombinedOutput()
			t.Logf("output of container %s:\n%s", name, logs)
		}
		if _, err := p.run("rm", "--force", "--time", "0", name); err != nil {
			t.Logf("remove container %s: %v", name, err)
		}
	})
	return name
}

// containerPID returns the host pid of the container's init process.
func (p *podman) containerPID(t testing.TB, name string) int {
	t.Helper()
	var pid int
	out := p.must(t, "inspect", "--format", "{{.State.Pid}} {{.State.Status}} {{.State.ExitCode}} {{.State.Error}}", name)
	if _, err := fmt.Sscan(out, &pid); err != nil || pid <= 0 {
		t.Fatalf("pid, status, exit code and error of container %s = %q, want a running container", name, out)
	}
	return pid
}

// cleanup removes everything the store holds, then the store.
func (p *podman) cleanup() {
	if _, err := p.run("rm", "--all", "--force", "--time", "0"); err != nil {
		p.t.Logf("remove containers: %v", err)
	}
	if _, err := p.run("rmi", "--all", "--force"); err != nil {
		p.t.Logf("remove images: %v", err)
	}
	if err := unmountBelow(p.dir); err != nil {
		p.t.Logf("detach podman mounts: %v", err)
	}
	if err := os.RemoveAll(p.dir); err != nil {
		p.t.Errorf("remove podman store %s: %v", p.dir, err)
	}
}

// unmountBelow detaches every mount at or below dir, deepest first, such as
// the shm tmpfs podman mounts for each container.
func unmountBelow(dir string) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	defer f.Close()

	var targets []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 4 && (fields[4] == dir || strings.HasPrefix(fields[4], dir+"/")) {
			targets = append(targets, fields[4])
		}
	}
	if err := s.Err(); err != nil {
		return err
	}
	for i := len(targets) - 1; i >= 0; i-- {
		if err := unix.Unmount(targets[i], unix.MNT_DETACH); err != nil && err != unix.EINVAL {
			return &os.PathError{Op: "umount", Path: targets[i], Err: err}
		}
	}
	return nil
}

// newContainerName returns a container name made of the test's name and
// the time, unique within the test's private store.
func newContainerName(t *testing.T) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, t.Name())
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return strings.Trim(name, "-") + fmt.Sprintf("-%d", time.Now().UnixNano()%1e9)
}

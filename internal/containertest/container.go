package containertest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopTimeout bounds how long Cleanup waits for `runc run` to return after
// `runc kill KILL`.
const stopTimeout = 10 * time.Second

// Container is one container run by `runc run` in the foreground, with its
// bundle and runc state directory in the test's temporary directory.
type Container struct {
	// ID is the container's runc id, unique per test.
	ID string
	// Bundle is the OCI bundle directory: config.json and rootfs.
	Bundle string
	// StateRoot is the --root directory that holds runc's state.
	StateRoot string
	// Port is the host port templated into nginx.conf, or 0.
	Port int

	t      testing.TB
	opts   Options
	cmd    *exec.Cmd
	output syncBuffer

	done     chan struct{}
	exitCode int
	waitErr  error
}

// New assembles the root filesystem and config.json for opts in a new
// bundle directory and registers a cleanup that kills and deletes the
// container. Errors fail the test.
func New(t testing.TB, opts Options) *Container {
	t.Helper()

	dir := t.TempDir()
	c := &Container{
		ID:        newID(t.Name()),
		Bundle:    filepath.Join(dir, "bundle"),
		StateRoot: filepath.Join(dir, "runc"),
		t:         t,
		opts:      opts,
		done:      make(chan struct{}),
	}

	conf := []byte{}
	if opts.NginxConf != "" {
		var err error
		if conf, err = os.ReadFile(opts.NginxConf); err != nil {
			t.Fatalf("read nginx.conf: %v", err)
		}
	}
	if opts.Port >= 0 && opts.NginxConf != "" {
		c.Port = opts.Port
		if c.Port == 0 {
			c.Port = FreePort(t)
		}
		var err error
		if conf, err = templateListen(conf, c.Port); err != nil {
			t.Fatal(err)
		}
	}

	rootfs := filepath.Join(c.Bundle, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		t.Fatalf("create bundle: %v", err)
	}
	if err := assembleRootfs(rootfs, &c.opts, conf); err != nil {
		t.Fatalf("assemble root filesystem %s: %v", rootfs, err)
	}
	if err := writeSpec(c.Bundle, &c.opts); err != nil {
		t.Fatalf("write %s/config.json: %v", c.Bundle, err)
	}
	if err := os.Mkdir(c.StateRoot, 0o700); err != nil {
		t.Fatalf("create runc state directory: %v", err)
	}

	t.Cleanup(c.cleanup)
	return c
}

// Run is New followed by Start.
func Run(t testing.TB, opts Options) *Container {
	t.Helper()
	c := New(t, opts)
	c.Start()
	return c
}

// Start runs `runc run` in the background, with the container's stdout and
// stderr going to Output. Errors fail the test.
func (c *Container) Start() {
	c.t.Helper()

	c.cmd = exec.Command("runc", "--root", c.StateRoot, "run", "--bundle", c.Bundle, c.ID)
	c.cmd.Stdout = &c.output
	c.cmd.Stderr = &c.output
	// Kill runc if the test binary dies, and stop waiting for output that a
	// leaked container process could keep open forever.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	c.cmd.WaitDelay = stopTimeout
	if err := c.cmd.Start(); err != nil {
		c.t.Fatalf("runc run %s: %v", c.ID, err)
	}

	go func() {
		err := c.cmd.Wait()
		var exitErr *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exitErr) && exitErr.ExitCode() >= 0:
			c.exitCode = exitErr.ExitCode()
		default:
			c.exitCode = -1
			c.waitErr = err
		}
		close(c.done)
	}()
}

// Wait waits at most timeout for `runc run` to return and returns its exit
// status, which is the container process's: its exit code, or 128 plus the
// signal that killed it.
func (c *Container) Wait(timeout time.Duration) (int, error) {
	select {
	case <-c.done:
		if c.waitErr != nil {
			return -1, fmt.Errorf("runc run %s: %w", c.ID, c.waitErr)
		}
		return c.exitCode, nil
	case <-time.After(timeout):
		return -1, fmt.Errorf("runc run %s: still running after %v", c.ID, timeout)
	}
}

// Exited reports whether `runc run` has returned.
func (c *Container) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Output returns what the container wrote to stdout and stderr so far,
// with runc's own messages.
func (c *Container) Output() string { return c.output.String() }

// Kill sends sig, a name such as "TERM" or a number, to the container's
// init process with `runc kill`.
func (c *Container) Kill(sig string) error {
	_, err := c.runc("kill", c.ID, sig)
	return err
}

// Exec runs args in the container with `runc exec`, as the container's
// uid, gid and supplementary groups and without a shell, and returns its
// combined output.
func (c *Container) Exec(args ...string) (string, error) {
	cmdArgs := []string{"exec", "--user", fmt.Sprintf("%d:%d", c.opts.uid(), c.opts.gid())}
	for _, g := range c.opts.AdditionalGids {
		cmdArgs = append(cmdArgs, "--additional-gids", fmt.Sprint(g))
	}
	cmdArgs = append(cmdArgs, c.ID)
	cmdArgs = append(cmdArgs, args...)

	cmd := exec.Command("runc", append([]string{"--root", c.StateRoot}, cmdArgs...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("runc exec %s %s: %w", c.ID, strings.Join(args, " "), err)
	}
	return string(out), nil
}

// State is the part of `runc state` that tests use.
type State struct {
	// Pid is the host pid of the container's init process.
	Pid int `json:"pid"`
	// Status is "created", "running", "paused" or "stopped".
	Status string `json:"status"`
}

// State returns the container's state from `runc state`.
func (c *Container) State() (State, error) {
	out, err := c.runc("state", c.ID)
	if err != nil {
		return State{}, err
	}
	var s State
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		return State{}, fmt.Errorf("decode runc state %s: %w", c.ID, err)
	}
	return s, nil
}

// Processes returns the host pids of every process in the container, from
// `runc ps`, which reads the container's cgroup.
func (c *Container) Processes() ([]int, error) {
	out, err := c.runc("ps", "--format", "json", c.ID)
	if err != nil {
		return nil, err
	}
	var pids []int
	if err := json.Unmarshal([]byte(out), &pids); err != nil {
		return nil, fmt.Errorf("decode runc ps %s: %w", c.ID, err)
	}
	return pids, nil
}

// runc runs one runc subcommand against the container's state directory and
// returns its stdout, or an error that includes its stderr.
func (c *Container) runc(args ...string) (string, error) {
	cmdArgs := append([]string{"--root", c.StateRoot}, args...)
	cmd := exec.Command("runc", cmdArgs...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("runc %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// cleanup kills and deletes the container, waits for `runc run`, logs the
// container's output and detaches any mount left under the bundle.
func (c *Container) cleanup() {
	if c.cmd != nil && !c.Exited() {
		if _, err := c.runc("kill", c.ID, "KILL"); err != nil {
			c.t.Logf("cleanup: %v", err)
		}
	}
	if _, err := c.runc("delete", "--force", c.ID); err != nil && !strings.Contains(err.Error(), "does not exist") {
		c.t.Logf("cleanup: %v", err)
	}
	if c.cmd != nil {
		if _, err := c.Wait(stopTimeout); err != nil {
			c.t.Errorf("cleanup: %v", err)
		}
	}
	c.t.Logf("container %s output:\n%s", c.ID, c.Output())

	if err := unmountUnder(c.Bundle); err != nil {
		c.t.Errorf("cleanup: %v", err)
	}
}

// unmountUnder detaches every host mount at or below dir. runc mounts in
// the container's own mount namespace, so there should be none; this is
// what keeps a runc failure from leaving the test's TempDir undeletable.
func unmountUnder(dir string) error {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	var mounts []string
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 5 {
			continue
		}
		mountPoint := fields[4]
		if mountPoint == dir || strings.HasPrefix(mountPoint, dir+"/") {
			mounts = append(mounts, mountPoint)
		}
	}
	// Innermost first: mountinfo lists parents before children.
	for i := len(mounts) - 1; i >= 0; i-- {
		if err := syscall.Unmount(mounts[i], syscall.MNT_DETACH); err != nil {
			return &os.PathError{Op: "unmount", Path: mounts[i], Err: err}
		}
	}
	if len(mounts) > 0 {
		return fmt.Errorf("unmount %s: %d mounts were left behind: %v", dir, len(mounts), mounts)
	}
	return nil
}

// idUnsafe matches what runc does not accept in a container id.
var idUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// newID returns a container id made of the test's name and a random
// suffix, short enough for runc and unique across parallel runs.
func newID(testName string) string {
	name := strings.Trim(idUnsafe.ReplaceAllString(testName, "-"), "-.")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	return "nginit-" + strings.TrimLeft(name, "-.") + "-" + hex.EncodeToString(suffix)
}

// syncBuffer is a bytes.Buffer that is safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

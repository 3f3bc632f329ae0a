package containertest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/nginit/nginit/internal/testproc"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// stopTimeout bounds how long Destroy waits for `runc run` to return after
// `runc kill KILL`.
const stopTimeout = 10 * time.Second

// Container is one container run by `runc run` in the foreground, with its
// bundle and runc state directory in a directory of its own.
type Container struct {
	// ID is the container's runc id, unique per run.
	ID string
	// Bundle is the OCI bundle directory: config.json and rootfs.
	Bundle string
	// StateRoot is the --root directory that holds runc's state.
	StateRoot string
	// Port is the host port templated into nginx.conf, or 0.
	Port int

	opts   Options
	cmd    *exec.Cmd
	output testproc.Buffer

	done     chan struct{}
	exitCode int
	waitErr  error
}

// Create assembles the root filesystem and config.json for opts under dir,
// which must exist, and returns the container, not yet started. name is
// the readable part of the container's id.
func Create(dir, name string, opts Options) (*Container, error) {
	c := &Container{
		ID:        newID(name),
		Bundle:    filepath.Join(dir, "bundle"),
		StateRoot: filepath.Join(dir, "runc"),
		opts:      opts,
		done:      make(chan struct{}),
	}

	conf := []byte{}
	if opts.NginxConf != "" {
		var err error
		if conf, err = os.ReadFile(opts.NginxConf); err != nil {
			return nil, fmt.Errorf("read nginx.conf: %w", err)
		}
	}
	if opts.Port >= 0 && opts.NginxConf != "" {
		c.Port = opts.Port
		if c.Port == 0 {
			port, err := freePort()
			if err != nil {
				return nil, err
			}
			c.Port = port
		}
		var err error
		if conf, err = templateListen(conf, c.Port); err != nil {
			return nil, err
		}
	}

	rootfs := filepath.Join(c.Bundle, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		return nil, fmt.Errorf("create bundle: %w", err)
	}
	if err := assembleRootfs(rootfs, &c.opts, conf); err != nil {
		return nil, fmt.Errorf("assemble root filesystem %s: %w", rootfs, err)
	}
	if err := writeSpec(c.Bundle, &c.opts); err != nil {
		return nil, fmt.Errorf("write %s/config.json: %w", c.Bundle, err)
	}
	if err := os.Mkdir(c.StateRoot, 0o700); err != nil {
		return nil, fmt.Errorf("create runc state directory: %w", err)
	}
	return c, nil
}

// Start runs `runc run` in the background, with the container's stdout and
// stderr going to Output and to Options.Log.
func (c *Container) Start() error {
	c.cmd = exec.Command("runc", "--root", c.StateRoot, "run", "--bundle", c.Bundle, c.ID)
	var out io.Writer = &c.output
	if c.opts.Log != nil {
		out = io.MultiWriter(&c.output, c.opts.Log)
	}
	c.cmd.Stdout = out
	c.cmd.Stderr = out
	// Kill runc if the process that started it dies, and stop waiting for
	// output that a leaked container process could keep open forever.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	c.cmd.WaitDelay = stopTimeout
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("runc run %s: %w", c.ID, err)
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
	return nil
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

// Done returns a channel that is closed when `runc run` returns.
func (c *Container) Done() <-chan struct{} { return c.done }

// Output returns what the container wrote to stdout and stderr so far,
// with runc's own messages.
func (c *Container) Output() string { return c.output.String() }

// Destroy kills and deletes the container, waits for `runc run` to return
// and detaches any mount left under the bundle. It is safe to call on a
// container that was never started or has exited.
func (c *Container) Destroy() error {
	var errs []error
	if c.cmd != nil && !c.Exited() {
		if _, err := c.runc("kill", c.ID, "KILL"); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := c.runc("delete", "--force", c.ID); err != nil && !strings.Contains(err.Error(), "does not exist") {
		errs = append(errs, err)
	}
	if c.cmd != nil {
		if _, err := c.Wait(stopTimeout); err != nil {
			errs = append(errs, err)
		}
	}
	if err := unmountUnder(c.Bundle); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// unmountUnder detaches every host mount at or below dir and reports them.
// runc mounts in the container's own mount namespace, so there should be
// none. A mount left by a runc failure would make the TempDir undeletable.
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

package containertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
)

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

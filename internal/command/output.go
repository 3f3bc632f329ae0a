package command

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// ExitError is a program that ran but did not exit with status 0, or was
// killed when its time ran out.
type ExitError struct {
	*os.ProcessState
	// Timeout is the limit that ran out, or 0 when the program ended on its
	// own.
	Timeout time.Duration
}

func (e *ExitError) Error() string {
	if e.Timeout > 0 {
		return fmt.Sprintf("timed out after %v (%v)", e.Timeout, e.ProcessState)
	}
	return e.ProcessState.String()
}

// CombinedOutput runs the program at path with argv (argv[0] included) and
// nginit's environment, stdin on /dev/null, and returns what it wrote to
// stdout and stderr together, up to maxOutput bytes. The rest is read and
// discarded. A program that exits with a status other than 0 or dies of a
// signal returns its output and an *ExitError. When timeout runs out, the
// program gets SIGKILL and the error is an *ExitError with Timeout set. The
// same error comes back when the program exited in time but a process it
// started still holds its stdout or stderr open.
//
// The caller must not be reaping children with wait4(-1) at the same time:
// CombinedOutput waits for its own child with os.Process.Wait, and a reaper
// could collect that status first. initd's reaper runs only inside
// initd.Run, and nginit runs its helper programs before that or in another
// process (`nginit reload`).
func CombinedOutput(path string, argv []string, timeout time.Duration, maxOutput int) ([]byte, error) {
	deadline := time.Now().Add(timeout)

	stdin, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer stdin.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("pipe: %w", err)
	}
	defer pr.Close()

	proc, err := os.StartProcess(path, argv, &os.ProcAttr{Files: []*os.File{stdin, pw, pw}})
	pw.Close() // the child holds its own copy, and EOF needs every writer gone
	if err != nil {
		return nil, err
	}

	var timedOut atomic.Bool
	timer := time.AfterFunc(timeout, func() {
		timedOut.Store(true)
		proc.Kill()
	})
	defer timer.Stop()

	// Pipes from os.Pipe are non-blocking and take deadlines, so a
	// grandchild that keeps the write end open cannot hold the read past
	// the timeout. Without a deadline the kill still ends the read, unless
	// such a grandchild exists.
	_ = pr.SetReadDeadline(deadline)
	output, readErr := readLimited(pr, maxOutput)

	state, err := proc.Wait()
	if err != nil {
		return output, err
	}
	if timedOut.Load() || errors.Is(readErr, os.ErrDeadlineExceeded) {
		return output, &ExitError{ProcessState: state, Timeout: timeout}
	}
	if readErr != nil {
		return output, fmt.Errorf("read output: %w", readErr)
	}
	if !state.Success() {
		return output, &ExitError{ProcessState: state}
	}
	return output, nil
}

// readLimited reads r to its end and keeps the first limit bytes.
func readLimited(r io.Reader, limit int) ([]byte, error) {
	var buf bytes.Buffer
	_, err := io.Copy(&buf, io.LimitReader(r, int64(limit)))
	if err == nil {
		_, err = io.Copy(io.Discard, r)
	}
	return buf.Bytes(), err
}

package command

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCombinedOutput(t *testing.T) {
	out, err := CombinedOutput("/bin/sh", []string{"sh", "-c", "echo out; echo err >&2; read x; echo stdin=$x"}, 10*time.Second, 1<<20)
	if err != nil {
		t.Fatalf("CombinedOutput: %v", err)
	}
	if got, want := string(out), "out\nerr\nstdin=\n"; got != want {
		t.Errorf("CombinedOutput = %q, want %q", got, want)
	}
}

func TestCombinedOutputExitStatus(t *testing.T) {
	out, err := CombinedOutput("/bin/sh", []string{"sh", "-c", "echo failing >&2; exit 3"}, 10*time.Second, 1<<20)
	var exitErr *ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Fatalf("CombinedOutput(exit 3) = %v, want an ExitError with status 3", err)
	}
	if err.Error() != "exit status 3" {
		t.Errorf("error = %q, want %q", err, "exit status 3")
	}
	if string(out) != "failing\n" {
		t.Errorf("output = %q, want the output before the exit", out)
	}
}

func TestCombinedOutputTimeout(t *testing.T) {
	start := time.Now()
	_, err := CombinedOutput("/bin/sh", []string{"sh", "-c", "exec sleep 30"}, 200*time.Millisecond, 1<<20)
	var exitErr *ExitError
	if !errors.As(err, &exitErr) || exitErr.Timeout == 0 {
		t.Fatalf("CombinedOutput(sleep 30) = %v, want a timeout", err)
	}
	if !strings.Contains(err.Error(), "timed out after 200ms") {
		t.Errorf("error = %q, want it to say timed out", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("CombinedOutput returned after %v, want about 200ms", elapsed)
	}
}

func TestCombinedOutputGrandchildKeepsPipe(t *testing.T) {
	// The background sleep inherits the pipe and outlives the shell, so the
	// read must end at the timeout. The sleep exits by itself after 2s.
	start := time.Now()
	out, err := CombinedOutput("/bin/sh", []string{"sh", "-c", "echo before; sleep 2 & exit 0"}, 300*time.Millisecond, 1<<20)
	if elapsed := time.Since(start); elapsed > 1500*time.Millisecond {
		t.Errorf("CombinedOutput returned after %v, want about 300ms", elapsed)
	}
	if string(out) != "before\n" {
		t.Errorf("output = %q, want %q", out, "before\n")
	}
	var exitErr *ExitError
	if !errors.As(err, &exitErr) || exitErr.Timeout == 0 {
		t.Errorf("CombinedOutput = %v, want a timeout while the pipe stayed open", err)
	}
}

func TestCombinedOutputLimit(t *testing.T) {
	out, err := CombinedOutput("/bin/sh", []string{"sh", "-c", "head -c 100000 /dev/zero"}, 10*time.Second, 1000)
	if err != nil {
		t.Fatalf("CombinedOutput: %v", err)
	}
	if len(out) != 1000 {
		t.Errorf("len(output) = %d, want the limit 1000", len(out))
	}
}

func TestCombinedOutputMissingProgram(t *testing.T) {
	if _, err := CombinedOutput("/nonexistent/prog", []string{"prog"}, time.Second, 100); err == nil {
		t.Error("CombinedOutput(/nonexistent/prog) succeeded, want an error")
	}
}

package command

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func writeFile(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
		t.Fatal(err)
	}
}

func TestLookPath(t *testing.T) {
	notExec := t.TempDir()
	writeFile(t, filepath.Join(notExec, "prog"), 0o644)
	dirNamed := t.TempDir()
	if err := os.Mkdir(filepath.Join(dirNamed, "prog"), 0o755); err != nil {
		t.Fatal(err)
	}
	good := t.TempDir()
	writeFile(t, filepath.Join(good, "prog"), 0o755)
	cwd := t.TempDir()
	writeFile(t, filepath.Join(cwd, "local"), 0o755)
	t.Chdir(cwd)

	t.Setenv("PATH", notExec+":"+dirNamed+":"+good)
	if got, err := LookPath("prog"); err != nil || got != filepath.Join(good, "prog") {
		t.Errorf("LookPath(prog) = %q, %v, want the executable in %s", got, err, good)
	}

	if _, err := LookPath("missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LookPath(missing) = %v, want ErrNotFound", err)
	}
	if _, err := LookPath("local"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LookPath(local) without . in PATH = %v, want ErrNotFound", err)
	}

	t.Setenv("PATH", good+"::")
	if got, err := LookPath("local"); err != nil || got != "local" {
		t.Errorf("LookPath(local) with an empty PATH entry = %q, %v, want local", got, err)
	}

	abs := filepath.Join(good, "prog")
	if got, err := LookPath(abs); err != nil || got != abs {
		t.Errorf("LookPath(%s) = %q, %v, want it unchanged", abs, got, err)
	}
	if got, err := LookPath("./local"); err != nil || got != "./local" {
		t.Errorf("LookPath(./local) = %q, %v, want it unchanged", got, err)
	}
	if _, err := LookPath(filepath.Join(notExec, "prog")); err == nil {
		t.Error("LookPath(non-executable absolute path) succeeded, want an error")
	}
	if _, err := LookPath(filepath.Join(dirNamed, "prog")); err == nil {
		t.Error("LookPath(directory) succeeded, want an error")
	}
	if _, err := LookPath("./missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LookPath(./missing) = %v, want ErrNotExist", err)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrepareRuntimeDirCreates0700(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nginit")
	if err := prepareRuntimeDir(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("runtime dir mode = %04o, want 0700", fi.Mode().Perm())
	}
	// A second start in the same volume reuses the directory.
	if err := prepareRuntimeDir(dir); err != nil {
		t.Errorf("prepareRuntimeDir on its own 0700 directory: %v", err)
	}
}

func TestPrepareRuntimeDirKeepsOtherModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	err := prepareRuntimeDir(dir)
	if err == nil || !strings.Contains(err.Error(), "does not exist yet") {
		t.Errorf("prepareRuntimeDir(existing 1777 dir) = %v, want an error naming the fix", err)
	}
	fi, _ := os.Stat(dir)
	if fi.Mode()&os.ModePerm != 0o777 || fi.Mode()&os.ModeSticky == 0 {
		t.Errorf("mode after rejection = %v, want 1777 unchanged", fi.Mode())
	}
}

func TestAtSecureOffForPlainStart(t *testing.T) {
	secure, err := atSecure()
	if err != nil {
		t.Fatal(err)
	}
	if secure {
		t.Errorf("atSecure() = true for a test binary started without setuid or capabilities")
	}
}

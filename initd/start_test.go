package initd

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	noExec := filepath.Join(dir, "noexec")
	later := filepath.Join(dir, "later")
	for _, d := range []string{noExec, later} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path string, mode os.FileMode) {
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(noExec, "app"), 0o644)
	write(filepath.Join(later, "app"), 0o755)
	write(filepath.Join(noExec, "onlydata"), 0o644)

	path := "PATH=" + noExec + ":" + later
	tests := []struct {
		name    string
		env     []string
		want    string
		wantErr error
	}{
		{"skips a non-executable entry", []string{path}, filepath.Join(later, "app"), nil},
		{"only a non-executable entry", []string{path}, "", ErrNotExecutable},
		{"missing everywhere", []string{path}, "", ErrNotFound},
		{"explicit path", nil, filepath.Join(later, "app"), nil},
		{"explicit missing path", nil, "", ErrNotFound},
		{"explicit directory", nil, "", ErrNotExecutable},
	}
	names := []string{"app", "onlydata", "nosuch", filepath.Join(later, "app"), filepath.Join(dir, "nosuch"), later}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lookPath(names[i], tt.env)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("lookPath(%q) = %q, %v, want %v", names[i], got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("lookPath(%q) = %q, %v, want %q", names[i], got, err, tt.want)
			}
		})
	}
}

func TestEnvValueLastWins(t *testing.T) {
	env := []string{"PATH=/a", "HOME=/root", "PATH=/b"}
	if got := envValue(env, "PATH"); got != "/b" {
		t.Errorf("envValue(PATH) = %q, want %q", got, "/b")
	}
}

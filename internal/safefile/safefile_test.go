package safefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestWriteFileAtReplacesContent(t *testing.T) {
	root := t.TempDir()
	dir, err := OpenDir(filepath.Join(root, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()

	for _, content := range []string{"first\n", "second\n"} {
		if err := WriteFileAt(dir, "a.conf", []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(root, "out", "a.conf"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Errorf("content = %q, want %q", got, content)
		}
	}

	entries, _ := os.ReadDir(filepath.Join(root, "out"))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only a.conf (a temporary file was left behind)", len(entries))
	}
}

func TestWriteFileAtAppliesUmask(t *testing.T) {
	old := unix.Umask(0o027)
	defer unix.Umask(old)

	root := t.TempDir()
	dir, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	if err := WriteFileAt(dir, "a.conf", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(root, "a.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o640 {
		t.Errorf("mode = %04o, want 0640", got)
	}
}

func TestWriteFileAtReplacesPlantedSymlink(t *testing.T) {
	root := t.TempDir()
	victim := filepath.Join(root, "victim")
	if err := os.WriteFile(victim, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(out, "a.conf")); err != nil {
		t.Fatal(err)
	}

	dir, err := OpenDir(out)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	if err := WriteFileAt(dir, "a.conf", []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	if got, _ := os.ReadFile(victim); string(got) != "keep\n" {
		t.Errorf("symlink target content = %q, want it untouched", got)
	}
	st, err := os.Lstat(filepath.Join(out, "a.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if !st.Mode().IsRegular() {
		t.Errorf("a.conf mode = %v, want a regular file in place of the symlink", st.Mode())
	}
}

func TestOpenDirRejectsSymlink(t *testing.T) {
	root := t.TempDir()
	if err := os.Symlink(t.TempDir(), filepath.Join(root, "out")); err != nil {
		t.Fatal(err)
	}
	dir, err := OpenDir(filepath.Join(root, "out"))
	if err == nil {
		dir.Close()
		t.Fatal("OpenDir(symlink) succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "symlink") {
		t.Errorf("error = %q, want it to name the symlink", err)
	}
}

func TestOpenDirRejectsWorldWritable(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(out, 0o777); err != nil {
		t.Fatal(err)
	}
	if dir, err := OpenDir(out); err == nil {
		dir.Close()
		t.Fatal("OpenDir(mode 0777) succeeded, want an error")
	}

	if err := unix.Chmod(out, 0o1777); err != nil {
		t.Fatal(err)
	}
	dir, err := OpenDir(out)
	if err != nil {
		t.Fatalf("OpenDir(mode 1777) = %v, want success because of the sticky bit", err)
	}
	dir.Close()
}

func TestWriteFileAtRejectsPathName(t *testing.T) {
	dir, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	for _, name := range []string{"", ".", "..", "a/b", "../a"} {
		if err := WriteFileAt(dir, name, nil, 0o644); err == nil {
			t.Errorf("WriteFileAt(%q) succeeded, want an error", name)
		}
	}
}

func TestReplaceableByAnyone(t *testing.T) {
	tests := []struct {
		mode uint32
		want bool
	}{
		{0o777, true},
		{unix.S_IFDIR | 0o777, true},
		{0o1777, false}, // /tmp
		{0o775, false},
		{0o2777, true}, // setgid is not sticky
		{0o002, true},
	}
	for _, tt := range tests {
		if got := ReplaceableByAnyone(tt.mode); got != tt.want {
			t.Errorf("ReplaceableByAnyone(%#o) = %v, want %v", tt.mode, got, tt.want)
		}
	}
}

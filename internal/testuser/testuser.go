// Package testuser helps tests that run as root check behaviour as a real
// non-root uid: root bypasses permission checks, so such tests re-execute
// their own binary as another user. It is for tests only.
package testuser

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// CopyTestBinary copies the running test binary into a new 0755 directory
// named after prefix, because go test builds it in a 0700 directory that
// another uid cannot search. It returns the copy's path and a function that
// removes the directory.
func CopyTestBinary(prefix string) (path string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", prefix+"-bin-")
	if err != nil {
		return "", func() {}, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", cleanup, err
	}

	src, err := os.Open(os.Args[0])
	if err != nil {
		return "", cleanup, err
	}
	defer src.Close()
	path = filepath.Join(dir, prefix+".test")
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		return "", cleanup, err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return "", cleanup, err
	}
	return path, cleanup, dst.Close()
}

// FixtureDir returns a 0755 directory that another uid can reach, because
// t.TempDir is 0700 and owned by root. It is removed when the test ends.
func FixtureDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix+"-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

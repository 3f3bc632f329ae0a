package command

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrNotFound means that no executable file of the name was found in PATH.
var ErrNotFound = errors.New("executable file not found")

// LookPath finds the program name as execvp(3) does. A name that contains a
// slash, absolute or relative, is used as it is. Any other name is searched
// in the directories of the PATH environment variable, where an empty entry
// means the working directory, and entries that are not executable
// regular files are skipped. A name that is missing everywhere returns an
// error wrapping ErrNotFound, and a name with a slash the error of stat or
// access(2). Neither error repeats the name, which the caller adds.
//
// NOTE: unlike os/exec.LookPath, a match relative to the working directory
// (from "." or an empty entry in PATH) is returned, not rejected, because
// execvp and initd, which starts the child, resolve the name the same way.
func LookPath(name string) (string, error) {
	if strings.Contains(name, "/") {
		if err := checkExecutable(name); err != nil {
			return "", err
		}
		return name, nil
	}

	pathList := os.Getenv("PATH")
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			dir = "."
		}
		candidate := filepath.Join(dir, name)
		if checkExecutable(candidate) == nil {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("%w in PATH %q", ErrNotFound, pathList)
}

// checkExecutable returns nil when path is a regular file that the effective
// uid may execute.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "exec", Path: path, Err: errors.New("not a regular file")}
	}
	if err := unix.Faccessat(unix.AT_FDCWD, path, unix.X_OK, unix.AT_EACCESS); err != nil {
		return &fs.PathError{Op: "access", Path: path, Err: err}
	}
	return nil
}

package initd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// defaultPath is searched when neither the child's environment nor nginit's
// has PATH. It is the PATH that Docker sets for an image without one.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Exit statuses for a command that cannot start, as shells use them.
const (
	exitNotExecutable = 126
	exitNotFound      = 127
)

// child is the started main child. Its process group id equals its pid.
type child struct {
	pid        int
	path       string // the executable, found in PATH
	foreground bool   // the child's process group owns the terminal on stdin
	privileges childPrivileges
}

// startChild starts argv with env in a new process group. With a terminal on
// stdin whose foreground process group is nginit's, the child's group becomes
// the foreground group, so that Ctrl-C reaches it.
//
// The child runs with no_new_privs, unless its executable has file
// capabilities (see childPrivileges), and gets SIGKILL when the starting
// thread dies. Both are per-thread in Linux: prctl(PR_SET_NO_NEW_PRIVS) sets it on
// the calling thread only and fork copies it from there, and the parent-death
// signal fires when the thread that forked the child exits, not the process.
// So one goroutine locks its OS thread, sets no_new_privs, forks, and parks
// until done is closed. It never unlocks the thread, so the Go runtime
// destroys the thread when the goroutine returns: no other goroutine ever
// runs with no_new_privs, and the thread outlives the child.
func startChild(argv, env []string, done <-chan struct{}) (child, error) {
	path, err := lookPath(argv[0], env)
	if err != nil {
		return child{}, err
	}

	privileges := readChildPrivileges(path)
	resetReservedSignals()

	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if isForegroundOnStdin() {
		attr.Foreground = true
		attr.Ctty = 0 // a descriptor number in the child, which is stdin
	}

	type result struct {
		pid int
		err error
	}
	started := make(chan result, 1)
	go func() {
		runtime.LockOSThread()

		if privileges.setNoNewPrivs() {
			if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
				started <- result{err: fmt.Errorf("prctl PR_SET_NO_NEW_PRIVS: %w", err)}
				return
			}
		}
		pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{
			Env:   env,
			Files: []uintptr{0, 1, 2},
			Sys:   attr,
		})
		started <- result{pid, err}
		if err != nil {
			return
		}
		<-done
	}()

	res := <-started
	if res.err != nil {
		return child{}, startError(path, res.err)
	}
	return child{pid: res.pid, path: path, foreground: attr.Foreground, privileges: privileges}, nil
}

// startError wraps an execve failure with the sentinel that sets the exit
// status: ENOENT also covers a missing script interpreter.
func startError(path string, err error) error {
	switch {
	case errors.Is(err, unix.ENOENT):
		return fmt.Errorf("start %s: %w: %w", path, ErrNotFound, err)
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM), errors.Is(err, unix.ENOEXEC),
		errors.Is(err, unix.EISDIR), errors.Is(err, unix.ETXTBSY):
		return fmt.Errorf("start %s: %w: %w", path, ErrNotExecutable, err)
	}
	return fmt.Errorf("start %s: %w", path, err)
}

// lookPath finds name like execvp: a name with a slash is used as is, any
// other is searched in PATH from env, else nginit's own PATH, else
// defaultPath. An entry that exists but is not executable is skipped, and
// reported with ErrNotExecutable only when no later entry is executable.
// NOTE: unlike execvp, a file without a #! line is not retried with /bin/sh;
// execve fails with ENOEXEC and that is reported as ErrNotExecutable.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		if err := checkExecutable(name); err != nil {
			return "", err
		}
		return name, nil
	}

	pathList := envValue(env, "PATH")
	if pathList == "" {
		pathList = os.Getenv("PATH")
	}
	if pathList == "" {
		pathList = defaultPath
	}

	var notExecutable error
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			dir = "." // an empty PATH entry is the working directory, as in execvp
		}
		candidate := filepath.Join(dir, name)
		err := checkExecutable(candidate)
		if err == nil {
			return candidate, nil
		}
		if errors.Is(err, ErrNotExecutable) && notExecutable == nil {
			notExecutable = err
		}
	}
	if notExecutable != nil {
		return "", notExecutable
	}
	return "", fmt.Errorf("start %s: %w in PATH %s", name, ErrNotFound, pathList)
}

// checkExecutable reports whether path is a file that nginit may execute.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("start %s: %w: %w", path, ErrNotFound, err)
	}
	if err != nil {
		return fmt.Errorf("start %s: %w", path, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("start %s: %w: is a directory", path, ErrNotExecutable)
	}
	if err := unix.Faccessat(unix.AT_FDCWD, path, unix.X_OK, unix.AT_EACCESS); err != nil {
		return fmt.Errorf("start %s: %w: %w", path, ErrNotExecutable, err)
	}
	return nil
}

// envValue returns the value of key in env, the last one when it repeats, as
// getenv in the child would see it.
func envValue(env []string, key string) string {
	value := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			value = v
		}
	}
	return value
}

// isForegroundOnStdin reports whether stdin is a terminal whose foreground
// process group is nginit's own. nginit started in the background of a shell
// must not take the terminal from the shell's foreground job.
func isForegroundOnStdin() bool {
	fg, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// restoreForeground makes nginit's process group the terminal's foreground
// group again after the child's group has gone, so that a shell that started
// nginit gets its terminal back in the state it left it. SIGTTOU, which the
// kernel sends to a background group calling TIOCSPGRP, is ignored by then.
func restoreForeground() error {
	pgrp := unix.Getpgrp()
	if err := unix.IoctlSetPointerInt(0, unix.TIOCSPGRP, pgrp); err != nil {
		return fmt.Errorf("ioctl TIOCSPGRP: %w", err)
	}
	return nil
}

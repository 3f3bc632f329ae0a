package initd

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// exitSignalOffset is added to the number of the signal that killed a child
// to form the exit status, as shells do.
const exitSignalOffset = 128

// reap collects every child that has exited: the main child, the workers and
// orphans reparented to nginit because it is PID 1 or a child subreaper. It is
// the only caller of wait4 in nginit, so no status is ever collected twice or
// lost to a racing waiter. Run calls it on each SIGCHLD; SIGCHLDs coalesce, so
// it loops until no exited child is left.
func (s *supervisor) reap() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			// ECHILD: no children at all. pid 0: children remain, none exited.
			return
		}

		if pid == s.child.pid {
			s.mainExited(ws)
			continue
		}
		s.reaped++
		s.debugf("reaped orphan pid %d: %s", pid, describeWaitStatus(ws))
	}
}

// exitStatus returns the status to pass on for ws: the exit code, or 128 plus
// the signal that killed the process.
func exitStatus(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return exitSignalOffset + int(ws.Signal())
	}
	return ws.ExitStatus()
}

func describeWaitStatus(ws unix.WaitStatus) string {
	if ws.Signaled() {
		s := "killed by " + SignalName(syscall.Signal(ws.Signal()))
		if ws.CoreDump() {
			s += " (core dumped)"
		}
		return s
	}
	return fmt.Sprintf("exit status %d", ws.ExitStatus())
}

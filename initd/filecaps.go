package initd

import (
	"github.com/nginit/nginit/internal/filecaps"
	"golang.org/x/sys/unix"
)

// childPrivileges decides whether nginit sets no_new_privs for the child.
//
// It does unless the child's executable has file capabilities: under
// no_new_privs execve grants none of them, so an nginx given
// `setcap cap_net_bind_service=+ep` to bind port 80 as non-root would fail
// with "bind() ... (13: Permission denied)" under nginit although it works
// when started directly. The file capabilities are read from the path that
// is then executed, so no setting is needed.
//
// NOTE: without no_new_privs a setuid binary that such a child executes
// gains its owner's privileges. nginx executes nothing but itself, for a
// binary upgrade on SIGUSR2, which nginx 1.22 rejects while nginit is its
// parent. The decision
// reads the file by path before execve opens it again, so a file swapped in
// between runs without no_new_privs. A swap needs write access to the
// executable's directory, which an image's PATH does not grant.
type childPrivileges struct {
	fileCaps filecaps.Set
	readErr  error // reading the file capabilities failed; no_new_privs is set

	// platformNoNewPrivs is no_new_privs inherited by nginit, from docker's
	// --security-opt no-new-privileges or Kubernetes'
	// allowPrivilegeEscalation: false. The child has it whatever nginit does.
	platformNoNewPrivs bool
}

func readChildPrivileges(path string) childPrivileges {
	var p childPrivileges
	p.fileCaps, p.readErr = filecaps.Read(path)
	// Any thread reads the platform's value: nginit sets no_new_privs only
	// on the thread that starts the child, and that thread runs nothing else.
	noNewPrivs, err := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
	p.platformNoNewPrivs = err == nil && noNewPrivs == 1
	return p
}

// setNoNewPrivs reports whether nginit sets no_new_privs for the child.
func (p childPrivileges) setNoNewPrivs() bool {
	return p.readErr != nil || p.fileCaps.IsZero()
}

// logPrivileges logs why the child starts without no_new_privs, or why its file
// capabilities still do not take effect, and nothing for a child without
// file capabilities.
func (s *supervisor) logPrivileges(path string, p childPrivileges) {
	switch {
	case p.readErr != nil:
		s.debugf("%v; started it with no_new_privs", p.readErr)
	case p.fileCaps.IsZero():
	case p.platformNoNewPrivs:
		s.logf("%s has file capabilities (%s), but the platform set no_new_privs for nginit, "+
			"so the kernel did not grant them; they take effect only without docker's "+
			"--security-opt no-new-privileges and Kubernetes' allowPrivilegeEscalation: false", path, p.fileCaps)
	default:
		s.logf("%s has file capabilities (%s): started it without no_new_privs, so that the kernel grants them", path, p.fileCaps)
	}
}

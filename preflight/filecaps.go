package preflight

import (
	"fmt"

	"github.com/nginit/nginit/internal/filecaps"
)

// noNewPrivsSources names what sets no_new_privs for a container.
const noNewPrivsSources = "docker run --security-opt no-new-privileges, or allowPrivilegeEscalation: false in the Kubernetes securityContext"

// checkFileCaps reports whether the kernel grants nginx's file capabilities
// at execve. Without the effective flag the kernel requires every permitted
// file capability to be in the bounding set, and fails execve with EPERM
// otherwise. Under no_new_privs it grants none of them.
//
// NOTE: a capability that the file's inheritable set and nginit's
// inheritable set share also satisfies the kernel. Process does not carry
// the inheritable set, so that case is reported as an error too.
func checkFileCaps(r *Report, p Process, caps filecaps.Set) {
	if caps.IsZero() {
		return
	}
	subject := "nginx file capabilities (" + caps.String() + ")"

	if missing := caps.Permitted &^ p.CapBnd; caps.Effective && missing != 0 {
		r.add(Finding{
			Check:    "identity.file-capabilities",
			Severity: Error,
			Subject:  subject,
			Message: fmt.Sprintf("capabilities %#x are not in nginit's bounding set (%#x), so execve of nginx would fail with "+
				`"Operation not permitted"`, missing, p.CapBnd),
			Fix: "listen on a port from 1024 up and remove the file capabilities with setcap -r in the image, " +
				"or add the capabilities to the container: docker run --cap-add NET_BIND_SERVICE, or capabilities: {add: [NET_BIND_SERVICE]}",
		})
		return
	}

	if p.NoNewPrivs {
		r.add(Finding{
			Check:    "identity.file-capabilities",
			Severity: Info,
			Subject:  subject,
			Message:  "the platform set no_new_privs (" + noNewPrivsSources + "), so the kernel grants nginx none of its file capabilities",
			Fix:      "remove them with setcap -r, or drop no-new-privileges if nginx needs them",
		})
		return
	}

	r.add(Finding{
		Check:    "identity.file-capabilities",
		Severity: Info,
		Subject:  subject,
		Message:  "nginit starts nginx without no_new_privs, so that the kernel grants them",
		Fix:      "listen on a port from 1024 up and remove them with setcap -r, so that nginx runs with no_new_privs",
	})
}

// checkListenFileCaps reports a privileged port that nginx's own
// CAP_NET_BIND_SERVICE file capability decides, and whether it reported one.
// It reports nothing when the file lacks the capability, or when nginit's
// bounding set lacks it, which checkFileCaps reports as an execve failure.
func checkListenFileCaps(r *Report, p Process, caps filecaps.Set, l ListenPort, unprivilegedStart int) bool {
	if !caps.Permits(capNetBindService) || !hasCap(p.CapBnd, capNetBindService) {
		return false
	}
	subject := fmt.Sprintf("port %d (%s)", l.Port, l.Source)
	bind := fmt.Sprintf("port %d is below net.ipv4.ip_unprivileged_port_start (%d)", l.Port, unprivilegedStart)

	switch {
	case !caps.Effective:
		r.add(Finding{
			Check:    "listen.privileged-port",
			Severity: Error,
			Subject:  subject,
			Message: bind + ", and nginx's file capability CAP_NET_BIND_SERVICE lacks the effective flag, which nginx needs " +
				`because it never raises a capability itself; nginx would fail with "bind() ... (13: Permission denied)"`,
			Fix: privilegedPortFix(l.Port) + "\nor setcap cap_net_bind_service=+ep on nginx in the image",
		})
	case p.NoNewPrivs:
		r.add(Finding{
			Check:    "listen.privileged-port",
			Severity: Error,
			Subject:  subject,
			Message: bind + ", and nginx's file capability CAP_NET_BIND_SERVICE cannot take effect because the platform set no_new_privs (" +
				noNewPrivsSources + `): under no_new_privs execve grants no file capabilities; nginx would fail with "bind() ... (13: Permission denied)"`,
			Fix: privilegedPortFix(l.Port) + "\nor, to keep the port, drop no-new-privileges: it is what blocks the file capability",
		})
	default:
		r.add(Finding{
			Check:    "listen.privileged-port",
			Severity: Info,
			Subject:  subject,
			Message: fmt.Sprintf("nginx's file capability CAP_NET_BIND_SERVICE lets it bind, because nginit starts it without no_new_privs; "+
				"listening on %d would let you remove the capability", unprivilegedPort(l.Port)),
		})
	}
	return true
}

package preflight

import (
	"fmt"
	"strings"

	"github.com/nginit/nginit/internal/filecaps"
)

// capNetBindService is CAP_NET_BIND_SERVICE's bit in the capability sets of
// /proc/self/status (linux/capability.h).
const capNetBindService = 10

// Process is the identity and privileges nginx will run with, as read from
// the kernel.
type Process struct {
	UID, GID   int
	Groups     []int
	IsPID1     bool
	NoNewPrivs bool
	// Capability sets as bit masks, from /proc/self/status.
	CapEff, CapBnd, CapAmb uint64
}

func (p Process) identity() string {
	return fmt.Sprintf("uid %d gid %d", p.UID, p.GID)
}

// hasCap reports whether bit is set in set.
func hasCap(set uint64, bit uint) bool { return set&(1<<bit) != 0 }

// checkIdentity reports root, and what the supervision relies on.
func checkIdentity(r *Report, p Process) {
	if p.UID == 0 {
		r.add(Finding{
			Check:    "identity.root",
			Severity: Error,
			Subject:  p.identity(),
			Message:  "nginit runs as root; nginx would then write as root where nothing was prepared for it",
			Fix:      "USER 101:101 in the Dockerfile, or runAsUser: 101 with runAsNonRoot: true in the pod spec",
		})
	}

	if p.CapEff != 0 {
		r.add(Finding{
			Check:    "identity.capabilities",
			Severity: Info,
			Subject:  p.identity(),
			Message:  fmt.Sprintf("effective capabilities %#x; nginx as non-root needs none", p.CapEff),
			Fix:      "--cap-drop ALL for docker run, or capabilities: {drop: [ALL]} in the container's securityContext",
		})
	}

	if !p.NoNewPrivs {
		r.add(Finding{
			Check:    "identity.no-new-privs",
			Severity: Info,
			Subject:  p.identity(),
			Message:  "no_new_privs is not set by the platform; nginit sets it for nginx unless nginx has file capabilities",
			Fix:      "--security-opt no-new-privileges for docker run, or allowPrivilegeEscalation: false in the securityContext",
		})
	}
}

// ListenPort is one port nginx binds, with the directive that sets it.
type ListenPort struct {
	Port int
	// Source is the listen directive as file:line.
	Source string
}

// checkListen predicts nginx's "bind() ... failed (13: Permission denied)":
// a port below net.ipv4.ip_unprivileged_port_start needs
// CAP_NET_BIND_SERVICE in the effective set, or in nginx's file capabilities.
func checkListen(r *Report, p Process, fileCaps filecaps.Set, ports []ListenPort, unprivilegedStart int) {
	for _, l := range ports {
		if l.Port >= unprivilegedStart || l.Port == 0 {
			continue
		}
		if hasCap(p.CapEff, capNetBindService) {
			r.add(Finding{
				Check:    "listen.privileged-port",
				Severity: Info,
				Subject:  fmt.Sprintf("port %d (%s)", l.Port, l.Source),
				Message:  fmt.Sprintf("CAP_NET_BIND_SERVICE is effective, so the bind will work; listening on %d would let you drop it", unprivilegedPort(l.Port)),
			})
			continue
		}
		if checkListenFileCaps(r, p, fileCaps, l, unprivilegedStart) {
			continue
		}

		var why strings.Builder
		fmt.Fprintf(&why, "port %d is below net.ipv4.ip_unprivileged_port_start (%d) and CAP_NET_BIND_SERVICE is not in the effective set", l.Port, unprivilegedStart)
		if hasCap(p.CapBnd, capNetBindService) {
			why.WriteString("; it is in the bounding set only, which is what --cap-add or capabilities.add gives a non-root process: the kernel does not raise it without file capabilities on nginx or an ambient capability")
		}
		r.add(Finding{
			Check:    "listen.privileged-port",
			Severity: Error,
			Subject:  fmt.Sprintf("port %d (%s)", l.Port, l.Source),
			Message:  why.String() + `; nginx would fail with "bind() ... (13: Permission denied)"`,
			Fix:      privilegedPortFix(l.Port),
		})
	}
}

// privilegedPortFix returns the fixes for a port below
// net.ipv4.ip_unprivileged_port_start.
func privilegedPortFix(port int) string {
	return fmt.Sprintf("listen %[2]d; in nginx.conf, and publish it as port %[1]d (docker run -p %[1]d:%[2]d, or targetPort: %[2]d in the Kubernetes Service)\n"+
		"or allow low ports in the container's network namespace: docker run --sysctl net.ipv4.ip_unprivileged_port_start=0, "+
		"or securityContext.sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: \"0\"}] in the pod spec", port, unprivilegedPort(port))
}

// unprivilegedPort returns the port to suggest in place of a privileged
// one: 8080 for http's 80, 8443 for https's 443, and port+8000 otherwise,
// which keeps distinct ports distinct.
func unprivilegedPort(port int) int {
	switch port {
	case 80:
		return 8080
	case 443:
		return 8443
	}
	return port + 8000
}

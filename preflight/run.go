package preflight

import (
	"os"
	"strconv"
	"strings"

	"github.com/nginit/nginit/internal/filecaps"
	"github.com/nginit/nginit/nginxconf"
)

// TmpfsPolicy is the NGINIT_TMPFS setting: the severity of a writable path
// that is not on tmpfs, an error, a warning, or none.
type TmpfsPolicy string

const (
	TmpfsRequire TmpfsPolicy = "require"
	TmpfsWarn    TmpfsPolicy = "warn"
	TmpfsOff     TmpfsPolicy = "off"
)

// Input is everything the checks need. Run reads the filesystem and
// /proc itself; everything else comes in here.
type Input struct {
	Process Process
	Plan    *nginxconf.Plan
	// ConfigErr is the error nginxconf.ParseFile returned alongside a
	// partial configuration: missing includes and syntax errors.
	ConfigErr error
	Tmpfs     TmpfsPolicy
	// WalkLimit bounds each static-root walk, in directory entries:
	// files, directories, symbolic links and special files all count.
	WalkLimit int
	Strict    bool
	// UnprivilegedPortStart is net.ipv4.ip_unprivileged_port_start; a
	// negative value means Run reads it from /proc.
	UnprivilegedPortStart int
	// NginxFileCaps is the file capabilities of the nginx binary, which
	// decide whether nginit sets no_new_privs for it and whether nginx can
	// bind a privileged port.
	NginxFileCaps filecaps.Set
	// ErrorLogToStderr is set when the caller passes -e stderr because the
	// startup error log is not writable; that log is then not checked.
	ErrorLogToStderr bool
	// Extra are findings the caller made itself, reported with the rest.
	Extra []Finding
}

// Run runs every check and returns the report. It creates the directories
// nginx writes into, exactly as a start would, so that `nginit check` and a
// start agree; it writes nothing else. As root it skips the filesystem
// checks, because root passes every permission check and the results would
// be wrong for the non-root user nginx must run as.
func Run(in Input) *Report {
	r := &Report{}
	checkIdentity(r, in.Process)
	checkFileCaps(r, in.Process, in.NginxFileCaps)
	for _, f := range in.Extra {
		r.add(f)
	}

	if in.Plan != nil {
		checkConfig(r, in)
	}
	if in.Plan != nil && syntaxError(in) == nil {
		// After a syntax error the plan covers only the text before it,
		// so its findings could be wrong, and only the checks above run.
		start := in.UnprivilegedPortStart
		if start < 0 {
			start = readUnprivilegedPortStart()
		}
		checkListen(r, in.Process, in.NginxFileCaps, listenPorts(in.Plan), start)

		if in.Process.UID != 0 {
			checkRootFilesystem(r, in.Process)
			checkWrites(r, in)
			checkReads(r, in)
		} else {
			r.add(Finding{Check: "identity.root-skipped", Severity: Info, Subject: in.Process.identity(),
				Message: "filesystem checks skipped: as root every permission check passes"})
		}
	}

	r.finish(in.Strict)
	return r
}

// listenPorts lists the TCP ports of the plan's listen directives.
func listenPorts(plan *nginxconf.Plan) []ListenPort {
	var ports []ListenPort
	for _, l := range plan.Listens {
		if l.Port > 0 {
			ports = append(ports, ListenPort{Port: l.Port, Source: l.Source})
		}
	}
	return ports
}

// defaultUnprivilegedPortStart is the kernel's default since Linux 4.11,
// which added the sysctl; older kernels behave as if it were 1024.
const defaultUnprivilegedPortStart = 1024

// readUnprivilegedPortStart reads the sysctl of nginit's network namespace,
// which is the namespace nginx binds in.
func readUnprivilegedPortStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start")
	if err != nil {
		return defaultUnprivilegedPortStart
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return defaultUnprivilegedPortStart
	}
	return n
}

// StartupErrorLogWritable reports whether nginx can open the error log it
// uses before reading its configuration, so the caller knows whether to pass
// -e stderr.
func StartupErrorLogWritable(plan *nginxconf.Plan) bool {
	path := plan.StartupErrorLog
	if path == "" || path == nginxconf.Stderr {
		return true
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		f.Close()
		return true
	}
	return false
}

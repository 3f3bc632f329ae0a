package containertest

import (
	"io"
	"os"
)

// Default identity of the container's process: the uid and gid that
// Debian's and the official nginx images give the nginx user.
const (
	DefaultUID = 101
	DefaultGID = 101
)

// ListenPlaceholder is the directive that Create rewrites to
// `listen 127.0.0.1:PORT;` in the configuration, so that parallel tests
// each listen on their own port of the host's loopback interface.
const ListenPlaceholder = "listen 8080;"

// Options describes one container: its root filesystem and its runtime
// configuration. The zero value of every field means the default named in
// its comment.
type Options struct {
	// NginxConf is the host path of the nginx.conf copied to
	// /etc/nginx/nginx.conf. It must contain ListenPlaceholder unless Port
	// is negative.
	NginxConf string

	// Site is the host directory copied to /usr/share/nginx/html, owned by
	// root with modes 0644 and 0755.
	Site string

	// Nginit is the host path of the nginit binary copied to /nginit with
	// mode 0755. Empty means the image has no nginit.
	Nginit string

	// Args is the container's process. Default: `/nginit nginx -g "daemon
	// off;"` when Nginit is set, else nginx itself with its pid file in /tmp.
	Args []string

	// Env lists NAME=value entries that follow PATH in the process's
	// environment.
	Env []string

	// UID and GID are the process's identity. Nil means DefaultUID and
	// DefaultGID.
	UID, GID *uint32

	// AdditionalGids are the process's supplementary groups.
	AdditionalGids []uint32

	// Capabilities go into every capability set. Default: none.
	Capabilities []string

	// WritableRoot mounts the root filesystem read-write. By default it is
	// read-only.
	WritableRoot bool

	// NoTmp leaves /tmp without a tmpfs, so it is the image's read-only
	// directory.
	NoTmp bool

	// TmpMode is the mode option of the tmpfs at /tmp. Default "1777".
	TmpMode string

	// Tmpfs lists extra tmpfs mounts, mounted after /tmp.
	Tmpfs []Tmpfs

	// Files are added to the root filesystem after everything else.
	Files []File

	// Log also receives the container's stdout and stderr, as they come.
	Log io.Writer

	// CPUQuota and CPUPeriod set the cgroup's CFS bandwidth limit in
	// microseconds; a CPUQuota of 0 sets no limit, and a CPUPeriod of 0 means
	// 100000.
	CPUQuota  int64
	CPUPeriod uint64

	// Port is the host port nginx listens on. 0 picks a free port on
	// 127.0.0.1; a negative value leaves the configuration unchanged.
	Port int
}

// Tmpfs is a tmpfs mount, with mount options such as "mode=0700" or
// "uid=101".
type Tmpfs struct {
	Path    string
	Options []string
}

// File is a file, or a directory when Dir is set, added to the root
// filesystem with the given owner and mode. Mode uses os.FileMode bits, so
// setgid and sticky are os.ModeSetgid and os.ModeSticky, not 02000 and 01000.
type File struct {
	Path     string
	Data     []byte
	Mode     os.FileMode
	UID, GID int
	Dir      bool
}

// ExampleTempTmpfs returns a tmpfs at /tmp/nginx, owned by uid and gid 101
// with mode 0700, for the temp paths of examples/nginx.conf. nginx creates
// each temp path with a single mkdir, so their parent must exist.
//
// NOTE: this mount replaces nginit creating /tmp/nginx on the /tmp tmpfs.
// Once nginit prepares the temp paths, tests of the example should run
// without it.
func ExampleTempTmpfs() Tmpfs {
	return Tmpfs{
		Path:    "/tmp/nginx",
		Options: []string{"nosuid", "nodev", "mode=0700", "uid=101", "gid=101"},
	}
}

// Uint32 returns a pointer to v, for Options.UID and Options.GID.
func Uint32(v uint32) *uint32 { return &v }

func (o *Options) uid() uint32 {
	if o.UID == nil {
		return DefaultUID
	}
	return *o.UID
}

func (o *Options) gid() uint32 {
	if o.GID == nil {
		return DefaultGID
	}
	return *o.GID
}

func (o *Options) tmpMode() string {
	if o.TmpMode == "" {
		return "1777"
	}
	return o.TmpMode
}

// args returns the container's command. nginx without nginit needs its pid
// file on the writable /tmp because Debian's compile-time path is
// /run/nginx.pid on the read-only root.
func (o *Options) args() []string {
	switch {
	case o.Args != nil:
		return o.Args
	case o.Nginit != "":
		return []string{"/nginit", "nginx", "-g", "daemon off;"}
	default:
		return []string{"/usr/sbin/nginx", "-g", "daemon off; pid /tmp/nginx.pid;"}
	}
}

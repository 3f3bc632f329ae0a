package fsprep

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Sentinel errors for the conditions callers branch on. An *Error wraps one of
// them, or a unix.Errno such as unix.EROFS, unix.EACCES or unix.EPERM, so
// errors.Is can distinguish a read-only filesystem from a permission problem.
var (
	// ErrSymlink is a symbolic link where a directory was expected, at a
	// component that fsprep does not trust to follow.
	ErrSymlink = errors.New("symbolic link not followed")

	// ErrForeignOwner is a directory owned by another uid where the runtime
	// user must own it.
	ErrForeignOwner = errors.New("directory owned by another user")

	// ErrWorldWritable is a directory that any user may write to and that
	// lacks the sticky bit, so others can replace what nginx creates in it.
	ErrWorldWritable = errors.New("directory is world-writable without the sticky bit")

	// ErrNotDirectory is a path component that exists but is not a directory.
	ErrNotDirectory = errors.New("not a directory")

	// ErrModeNotApplied is a mode that fchmod accepted but the kernel did not
	// keep, which happens to setgid when the directory's group is not one of
	// the runtime user's groups.
	ErrModeNotApplied = errors.New("mode not applied")

	// ErrInvalidDir is a Dir value that cannot be prepared: a relative path,
	// or a mode with bits other than permissions, setgid and sticky.
	ErrInvalidDir = errors.New("invalid directory step")
)

// Error records a failed preparation or check of one path. Its message has the
// shape "op path: reason: cause", for example
//
//	prepare dir /var/cache/nginx/client_temp: not writable by uid 101 gid 101: permission denied
type Error struct {
	Op     string // "prepare dir", "probe dir", "walk"
	Path   string // the path as the caller gave it, or the component that failed
	Reason string // the problem and the identity it affects; may be empty
	Err    error  // a sentinel above or a unix.Errno

	// Owner, Group and Mode describe Path when it could be stat'ed. Mode is
	// zero when it could not.
	Owner, Group uint32
	Mode         os.FileMode

	// Mount is the mount that holds Path, set when the mount explains the
	// failure (a read-only filesystem), and nil otherwise.
	Mount *MountInfo
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ownerReason describes who owns a file and with which mode, for Reason.
func ownerReason(owner, group uint32, mode os.FileMode) string {
	return fmt.Sprintf("owner uid %d gid %d, mode %s", owner, group, FormatMode(mode))
}

// FormatMode formats a mode in octal with setuid, setgid and sticky, then
// symbolically, as "02770 drwxrws---".
func FormatMode(m os.FileMode) string {
	return fmt.Sprintf("0%03o %s", unixPerm(m), symbolicMode(m))
}

// unixPerm returns the permission, setuid, setgid and sticky bits of m as the
// kernel stores them.
func unixPerm(m os.FileMode) uint32 {
	p := uint32(m.Perm())
	if m&os.ModeSetuid != 0 {
		p |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		p |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		p |= 0o1000
	}
	return p
}

// symbolicMode formats m like ls -l does, with s, S, t and T in the execute
// positions, which os.FileMode.String does not.
func symbolicMode(m os.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&os.ModeSymlink != 0:
		b[0] = 'l'
	case m&os.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&os.ModeSocket != 0:
		b[0] = 's'
	case m&os.ModeCharDevice != 0:
		b[0] = 'c'
	case m&os.ModeDevice != 0:
		b[0] = 'b'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	special := func(pos int, set bool, lower, upper byte) {
		if !set {
			return
		}
		if b[pos] == 'x' {
			b[pos] = lower
		} else {
			b[pos] = upper
		}
	}
	special(3, m&os.ModeSetuid != 0, 's', 'S')
	special(6, m&os.ModeSetgid != 0, 's', 'S')
	special(9, m&os.ModeSticky != 0, 't', 'T')
	return string(b)
}

// fileMode converts a stat st_mode to an os.FileMode.
func fileMode(stMode uint32) os.FileMode {
	m := os.FileMode(stMode & 0o777)
	switch stMode & 0o170000 {
	case 0o040000:
		m |= os.ModeDir
	case 0o120000:
		m |= os.ModeSymlink
	case 0o010000:
		m |= os.ModeNamedPipe
	case 0o140000:
		m |= os.ModeSocket
	case 0o020000:
		m |= os.ModeDevice | os.ModeCharDevice
	case 0o060000:
		m |= os.ModeDevice
	}
	if stMode&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if stMode&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if stMode&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m
}

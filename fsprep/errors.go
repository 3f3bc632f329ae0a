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

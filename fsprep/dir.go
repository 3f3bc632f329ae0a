package fsprep

import (
	"fmt"
	"os"

	"github.com/nginit/nginit/internal/safefile"
	"golang.org/x/sys/unix"
)

// Dir is one directory that nginx or nginit writes to, as a preparation step
// that describes itself.
type Dir struct {
	// Path is absolute. Missing components are created.
	Path string

	// Mode is the mode the directory gets when the runtime user owns it:
	// permission bits plus optionally os.ModeSetgid and os.ModeSticky, for
	// example 0o700 or os.ModeSetgid|0o770. The umask does not apply.
	Mode os.FileMode

	// Purpose is the reason the directory exists, for String and reports.
	Purpose string

	// Shared accepts an existing directory that another uid owns when the
	// runtime user can write to it through its group, as with OpenShift's
	// gid 0 and "chmod g=u", or a Kubernetes fsGroup volume. Prepare never
	// changes the mode of such a directory. nginit's own runtime directory
	// must not be shared; nginx's temp and cache directories may be.
	Shared bool
}

// String describes the step as "dir /tmp/nginit mode 0700 drwx------
// (runtime directory)".
func (d Dir) String() string {
	s := fmt.Sprintf("dir %s mode %s", d.Path, FormatMode(d.Mode|os.ModeDir))
	if d.Shared {
		s += " shared"
	}
	if d.Purpose != "" {
		s += " (" + d.Purpose + ")"
	}
	return s
}

// Result is the outcome of Prepare.
type Result struct {
	Dir Dir

	// Created lists the directories Prepare created, outermost first. Each
	// one got Dir.Mode.
	Created []string

	// Owner, Group and Mode are the directory's, read with fstat after any
	// fchmod.
	Owner, Group uint32
	Mode         os.FileMode
}

const prepareOp = "prepare dir"

// Prepare creates d.Path and its missing parents, checks the directory it
// ends at, and proves that the runtime user can create a file in it.
//
// Resolution is symlink-safe: every component is opened with openat and
// O_NOFOLLOW from "/". The last component is never followed when it is a
// symbolic link (ErrSymlink). A link in a middle component is followed only
// when root owns the link and its directory, and that directory is not
// writable by group or others, like /var/run -> /run in a base image;
// its target is resolved by the same rules. Any other link is ErrSymlink.
// A world-writable directory without the sticky bit on the way is
// ErrWorldWritable, because any user could replace what lies below it.
// Unless d.Shared, a directory on the way that neither root nor the runtime
// user owns is ErrForeignOwner, because its owner could replace the rest.
//
// On the directory's descriptor, Prepare then rejects one that another uid
// owns (ErrForeignOwner, unless d.Shared) and one that is world-writable
// without the sticky bit (ErrWorldWritable). When the runtime user owns the
// directory, Prepare sets exactly d.Mode with fchmod and reads the mode back,
// because mkdir applies the umask and drops setgid. A setgid bit that the
// kernel dropped is ErrModeNotApplied. It comes with a filled Result, because
// the directory is still usable. Last, Prepare creates and removes a file
// named ".nginit-probe-<random>" in it.
//
// Errors are *Error values wrapping a sentinel or a unix.Errno: unix.EROFS
// for a read-only filesystem (with Error.Mount), unix.EACCES or unix.EPERM
// for permissions, unix.ENOSPC or unix.EDQUOT for a full filesystem.
func Prepare(d Dir) (Result, error) {
	res := Result{Dir: d}
	if d.Mode&^(os.ModePerm|os.ModeSetgid|os.ModeSticky) != 0 {
		return res, &Error{Op: prepareOp, Path: d.Path, Reason: "mode " + d.Mode.String() + " has bits other than permissions, setgid and sticky", Err: ErrInvalidDir}
	}
	if safefile.ReplaceableByAnyone(unixPerm(d.Mode)) {
		return res, &Error{Op: prepareOp, Path: d.Path, Reason: "mode " + FormatMode(d.Mode|os.ModeDir) + " lets any user write", Err: ErrWorldWritable}
	}
	id, err := CurrentIdentity()
	if err != nil {
		return res, &Error{Op: prepareOp, Path: d.Path, Err: err}
	}

	// Directories are created 0700 and widened by fchmod below, so no other
	// user can enter one while its mode is still being set.
	// A shared directory is by design in a tree that others own, such as
	// a Kubernetes fsGroup volume, so only a private one checks the owners
	// of the directories above it.
	opener := &dirOpener{op: prepareOp, create: true, perm: 0o700, createdMode: unixPerm(d.Mode),
		ownerCheck: !d.Shared, ownerUID: id.UID}
	fd, _, err := opener.openDir(d.Path)
	res.Created = opener.created
	if err != nil {
		return res, err
	}
	defer unix.Close(fd)

	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return res, &Error{Op: prepareOp, Path: d.Path, Err: err}
	}
	res.Owner, res.Group, res.Mode = st.Uid, st.Gid, fileMode(st.Mode)
	fail := func(reason string, err error) (Result, error) {
		return res, &Error{Op: prepareOp, Path: d.Path, Reason: reason, Err: err,
			Owner: res.Owner, Group: res.Group, Mode: res.Mode}
	}

	if st.Uid != id.UID && !d.Shared {
		return fail(fmt.Sprintf("%s, but the runtime user is %s", ownerReason(st.Uid, st.Gid, res.Mode), id), ErrForeignOwner)
	}
	if safefile.ReplaceableByAnyone(st.Mode) {
		return fail(ownerReason(st.Uid, st.Gid, res.Mode), ErrWorldWritable)
	}

	var modeErr error
	if st.Uid == id.UID {
		want := unixPerm(d.Mode)
		if err := fchmod(fd, want); err != nil {
			return fail("fchmod to "+FormatMode(d.Mode|os.ModeDir), err)
		}
		if err := unix.Fstat(fd, &st); err != nil {
			return fail("", err)
		}
		res.Mode = fileMode(st.Mode)
		if st.Mode&0o7777 != want {
			modeErr = &Error{Op: prepareOp, Path: d.Path, Err: ErrModeNotApplied,
				Reason: fmt.Sprintf("requested %s, the kernel kept %s (setgid needs the directory's group %d among the runtime user's groups)",
					FormatMode(d.Mode|os.ModeDir), FormatMode(res.Mode), st.Gid),
				Owner: st.Uid, Group: st.Gid, Mode: res.Mode}
		}
	}
	// A shared directory is not judged by its mode bits, because an ACL may
	// grant what they deny. The probe below lets the kernel decide.

	if err := probeDir(fd, d.Path, prepareOp, id); err != nil {
		return res, err
	}
	return res, modeErr
}

// fchmod sets mode on fd. A descriptor opened O_PATH, for a directory the
// owner cannot read, cannot be passed to fchmod, so fchmod goes through its
// /proc/self/fd entry then, which refers to the same inode.
func fchmod(fd int, mode uint32) error {
	err := unix.Fchmod(fd, mode)
	if err == unix.EBADF {
		err = unix.Fchmodat(unix.AT_FDCWD, fmt.Sprintf("/proc/self/fd/%d", fd), mode, 0)
	}
	return err
}

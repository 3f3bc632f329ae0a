package fsprep

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/nginit/nginit/internal/safefile"
	"golang.org/x/sys/unix"
)

// maxSymlinks is the kernel's limit of symbolic links in one lookup
// (MAXSYMLINKS in include/linux/namei.h), after which it returns ELOOP.
const maxSymlinks = 40

// component is one name still to resolve. final marks the last name of the
// path the caller gave, as opposed to a name from a link's target.
type component struct {
	name  string
	final bool
}

// dirOpener resolves an absolute path one component at a time with openat.
type dirOpener struct {
	op      string
	create  bool   // create missing components with mkdirat
	perm    uint32 // mode for mkdirat
	created []string

	// createdMode is set with fchmod on every directory created, when not
	// zero. mkdirat applies the umask and drops setgid, so perm alone
	// cannot give a created directory its intended mode.
	createdMode uint32

	// ownerCheck rejects a directory on the way whose owner is neither
	// root nor ownerUID (ErrForeignOwner), because that owner could rename
	// the next component away and put its own directory in its place.
	ownerCheck bool
	ownerUID   uint32

	// followFinalLink lets a trusted symbolic link be the last component
	// too, as /var/run -> /run is for a pid file's directory. The runtime
	// directory must be a real directory, so it leaves this false.
	followFinalLink bool
}

// openDir opens unsafePath as a directory without letting the kernel follow
// any symbolic link on its own. Each component is opened with
// O_PATH|O_NOFOLLOW|O_DIRECTORY relative to the previous one. A symbolic link
// in a middle component is followed by fsprep only when it is trusted (see
// trustedLink). The last component is followed only when followFinalLink is
// set and the link is trusted, and then its target's last name becomes the
// last component. The last component
// is opened O_RDONLY when possible, and O_PATH when the directory is not
// readable, so the descriptor always works as a dirfd. The returned path is
// the logical path of the directory with trusted links replaced.
func (o *dirOpener) openDir(unsafePath string) (fd int, path string, err error) {
	if !filepath.IsAbs(unsafePath) {
		return -1, "", &Error{Op: o.op, Path: unsafePath, Reason: "path is relative", Err: ErrInvalidDir}
	}
	fd, err = unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, "", &Error{Op: o.op, Path: "/", Err: err}
	}
	path = "/"
	var queue []component
	for _, name := range strings.Split(filepath.Clean(unsafePath), "/") {
		if name != "" {
			queue = append(queue, component{name: name})
		}
	}
	if len(queue) == 0 {
		return reopenReadable(fd, path)
	}
	queue[len(queue)-1].final = true

	links := 0
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c.name == "." {
			continue
		}
		if c.name == ".." {
			// ".." is never a symbolic link, and "/.." is "/" in the kernel.
			next, err := unix.Openat(fd, "..", unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			unix.Close(fd)
			if err != nil {
				return -1, "", &Error{Op: o.op, Path: path, Err: err}
			}
			fd, path = next, filepath.Dir(path)
			continue
		}

		childPath := filepath.Join(path, c.name)
		if err := replaceableBelow(o.op, fd, path, childPath); err != nil {
			unix.Close(fd)
			return -1, "", err
		}
		if err := o.foreignOwnerAbove(fd, path, childPath); err != nil {
			unix.Close(fd)
			return -1, "", err
		}
		next, err := o.openComponent(fd, c.name, childPath)
		if err == nil {
			unix.Close(fd)
			fd, path = next, childPath
			continue
		}
		if !errors.Is(err, unix.ENOTDIR) && !errors.Is(err, unix.ELOOP) {
			unix.Close(fd)
			return -1, "", err
		}

		// The component exists and is not a directory: find out whether it
		// is a symbolic link we may follow.
		var st unix.Stat_t
		if err := unix.Fstatat(fd, c.name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			unix.Close(fd)
			return -1, "", &Error{Op: o.op, Path: childPath, Err: err}
		}
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			unix.Close(fd)
			return -1, "", &Error{Op: o.op, Path: childPath, Err: ErrNotDirectory,
				Owner: st.Uid, Group: st.Gid, Mode: fileMode(st.Mode)}
		}
		if c.final && !o.followFinalLink {
			unix.Close(fd)
			return -1, "", &Error{Op: o.op, Path: childPath, Reason: "the directory itself is a symbolic link",
				Err: ErrSymlink, Owner: st.Uid, Group: st.Gid, Mode: fileMode(st.Mode)}
		}
		if reason := trustedLink(fd, &st); reason != "" {
			unix.Close(fd)
			return -1, "", &Error{Op: o.op, Path: childPath, Reason: reason,
				Err: ErrSymlink, Owner: st.Uid, Group: st.Gid, Mode: fileMode(st.Mode)}
		}
		links++
		if links > maxSymlinks {
			unix.Close(fd)
			return -1, "", &Error{Op: o.op, Path: childPath, Err: unix.ELOOP}
		}
		target, err := readlinkat(fd, c.name)
		if err != nil {
			unix.Close(fd)
			return -1, "", &Error{Op: o.op, Path: childPath, Err: err}
		}
		if filepath.IsAbs(target) {
			root, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			unix.Close(fd)
			if err != nil {
				return -1, "", &Error{Op: o.op, Path: "/", Err: err}
			}
			fd, path = root, "/"
		}
		var expanded []component
		for _, name := range strings.Split(target, "/") {
			if name != "" {
				expanded = append(expanded, component{name: name})
			}
		}
		if c.final && len(expanded) > 0 {
			expanded[len(expanded)-1].final = true
		}
		queue = append(expanded, queue...)
	}
	return reopenReadable(fd, path)
}

// replaceableBelow returns ErrWorldWritable when the directory dirfd, at
// path, is world-writable without the sticky bit. Any user may then rename
// or remove childPath and put a directory of their own in its place, so
// nothing nginx creates below it can be trusted. A sticky directory such
// as /tmp (mode 1777) is fine, because only an entry's owner may replace it.
func replaceableBelow(op string, dirfd int, path, childPath string) error {
	var st unix.Stat_t
	if err := unix.Fstat(dirfd, &st); err != nil {
		return &Error{Op: op, Path: path, Err: err}
	}
	if !safefile.ReplaceableByAnyone(st.Mode) {
		return nil
	}
	mode := fileMode(st.Mode)
	return &Error{Op: op, Path: childPath, Err: ErrWorldWritable,
		Reason: "parent " + path + " (" + ownerReason(st.Uid, st.Gid, mode) + ") lets any user replace it",
		Owner:  st.Uid, Group: st.Gid, Mode: mode}
}

// foreignOwnerAbove returns ErrForeignOwner, naming the directory dirfd at
// path, when o.ownerCheck is set and neither root nor o.ownerUID owns it.
// The owner of a directory may rename or remove any entry in it, the sticky
// bit notwithstanding, so it could replace childPath with its own directory.
//
// NOTE: in a user namespace a directory of an unmapped owner shows as the
// overflow uid (65534), which this rejects too.
func (o *dirOpener) foreignOwnerAbove(dirfd int, path, childPath string) error {
	if !o.ownerCheck {
		return nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(dirfd, &st); err != nil {
		return &Error{Op: o.op, Path: path, Err: err}
	}
	if st.Uid == 0 || st.Uid == o.ownerUID {
		return nil
	}
	mode := fileMode(st.Mode)
	return &Error{Op: o.op, Path: childPath, Err: ErrForeignOwner,
		Reason: fmt.Sprintf("parent %s (%s) is owned by neither root nor the runtime uid %d, so uid %d could replace it",
			path, ownerReason(st.Uid, st.Gid, mode), o.ownerUID, st.Uid),
		Owner: st.Uid, Group: st.Gid, Mode: mode}
}

// openComponent opens one directory component as O_PATH, creating it first
// when it is missing and o.create is set.
func (o *dirOpener) openComponent(dirfd int, name, path string) (int, error) {
	const flags = unix.O_PATH | unix.O_NOFOLLOW | unix.O_DIRECTORY | unix.O_CLOEXEC
	fd, err := unix.Openat(dirfd, name, flags, 0)
	if err == nil {
		return fd, nil
	}
	if err != unix.ENOENT || !o.create {
		return -1, componentError(o.op, dirfd, path, "searchable", err)
	}
	if err := unix.Mkdirat(dirfd, name, o.perm); err != nil && err != unix.EEXIST {
		return -1, componentError(o.op, dirfd, path, "writable", err)
	} else if err == nil {
		o.created = append(o.created, path)
		if err := o.chmodCreated(dirfd, name, path); err != nil {
			return -1, err
		}
	}
	// A concurrent mkdir (EEXIST) is fine; the open below applies the same
	// O_NOFOLLOW rule to whatever is there now.
	fd, err = unix.Openat(dirfd, name, flags, 0)
	if err != nil {
		return -1, componentError(o.op, dirfd, path, "searchable", err)
	}
	return fd, nil
}

// chmodCreated sets o.createdMode on the directory name that this opener has
// just created in dirfd.
func (o *dirOpener) chmodCreated(dirfd int, name, path string) error {
	if o.createdMode == 0 {
		return nil
	}
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &Error{Op: o.op, Path: path, Err: err}
	}
	defer unix.Close(fd)
	if err := unix.Fchmod(fd, o.createdMode); err != nil {
		return &Error{Op: o.op, Path: path, Reason: "fchmod to " + FormatMode(fileMode(o.createdMode|unix.S_IFDIR)), Err: err}
	}
	return nil
}

// componentError wraps a failed openat or mkdirat below dirfd, adding the
// mount when the filesystem is read-only and the parent's owner otherwise.
// need is the parent's missing permission, "searchable" or "writable".
func componentError(op string, dirfd int, path, need string, err error) error {
	if err == unix.ENOTDIR || err == unix.ELOOP {
		return err // the caller inspects the component
	}
	e := &Error{Op: op, Path: path, Err: err}
	switch err {
	case unix.EROFS:
		e.Reason = "read-only filesystem at " + filepath.Dir(path)
		if m, merr := mountOfFD(dirfd, filepath.Dir(path)); merr == nil {
			e.Mount = &m
		}
	case unix.EACCES, unix.EPERM:
		var st unix.Stat_t
		if unix.Fstat(dirfd, &st) == nil {
			if id, ierr := CurrentIdentity(); ierr == nil {
				e.Reason = "parent " + filepath.Dir(path) + " not " + need + " by " + id.String() + " (" +
					ownerReason(st.Uid, st.Gid, fileMode(st.Mode)) + ")"
			}
			e.Owner, e.Group, e.Mode = st.Uid, st.Gid, fileMode(st.Mode)
		}
	}
	return e
}

// trustedLink returns "" when the symbolic link described by st, found in
// the directory dirfd, may be followed, and the reason it may not otherwise.
// A link is trusted only when root owns it and root owns its directory and
// that directory is not writable by group or others, which is how the base
// image ships links such as /var/run -> /run. Such a link cannot be planted
// or replaced by the runtime user or by another non-root uid. Its target is
// resolved with the same rules, component by component.
func trustedLink(dirfd int, st *unix.Stat_t) string {
	if st.Uid != 0 {
		return "link owned by uid " + itoa(st.Uid) + ", not root"
	}
	var parent unix.Stat_t
	if err := unix.Fstat(dirfd, &parent); err != nil {
		return "cannot stat the link's directory: " + err.Error()
	}
	if parent.Uid != 0 || parent.Mode&0o022 != 0 {
		return "link's directory is " + ownerReason(parent.Uid, parent.Gid, fileMode(parent.Mode)) +
			", which a non-root user could change"
	}
	return ""
}

// reopenReadable turns the O_PATH descriptor of a directory into an O_RDONLY
// one, which fchmod and getdents need, keeping the O_PATH one when the
// directory is not readable.
func reopenReadable(fd int, path string) (int, string, error) {
	rd, err := unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fd, path, nil
	}
	unix.Close(fd)
	return rd, path, nil
}

func readlinkat(dirfd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dirfd, name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

func itoa(v uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}

// readlinkProcFD returns the path the kernel has for an open descriptor.
func readlinkProcFD(fd int) (string, error) {
	var buf [unix.PathMax]byte
	n, err := unix.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd), buf[:])
	if err != nil {
		return "", err
	}
	s := string(buf[:n])
	if !strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("readlink /proc/self/fd/%d: %q is not a path", fd, s)
	}
	return s, nil
}

package fsprep

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/nginit/nginit/internal/safefile"
	"golang.org/x/sys/unix"
)

// probePrefix starts the name of the file that proves a directory writable.
const probePrefix = ".nginit-probe-"

// DefaultMaxSubdirs is the number of level subdirectories ProbeWritable
// checks when maxSubdirs is zero or negative.
const DefaultMaxSubdirs = 64

// probeDir creates and removes a file in the directory dirfd as the calling
// process, which is the only test that also covers ACLs, security modules,
// read-only mounts, id-mapped mounts and quotas.
func probeDir(dirfd int, path, op string, id Identity) error {
	var random [8]byte
	if _, err := unix.Getrandom(random[:], 0); err != nil {
		return &Error{Op: op, Path: path, Err: err}
	}
	name := probePrefix + hex.EncodeToString(random[:])
	fd, err := unix.Openat(dirfd, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		e := &Error{Op: op, Path: path, Err: err}
		var st unix.Stat_t
		if unix.Fstat(dirfd, &st) == nil {
			e.Owner, e.Group, e.Mode = st.Uid, st.Gid, fileMode(st.Mode)
			e.Reason = fmt.Sprintf("not writable by %s (%s)", id, ownerReason(st.Uid, st.Gid, e.Mode))
			if (err == unix.EACCES || err == unix.EPERM) && id.Allows(st.Uid, st.Gid, st.Mode, AccessWrite|AccessExecute) {
				e.Reason += "; the mode allows it, but the kernel denied it: a security module (SELinux, AppArmor), an ACL or an id-mapped mount"
			}
		}
		if err == unix.EROFS {
			e.Reason = "read-only filesystem"
			if m, merr := mountOfFD(dirfd, path); merr == nil {
				e.Mount = &m
				e.Reason = "read-only filesystem " + m.String()
			}
		}
		return e
	}
	unix.Close(fd)
	if err := unix.Unlinkat(dirfd, name, 0); err != nil {
		return &Error{Op: op, Path: filepath.Join(path, name), Reason: "remove probe file", Err: err}
	}
	return nil
}

// ProbeResult lists the directories ProbeWritable checked.
type ProbeResult struct {
	Probed    []string // the directory itself first, then level subdirectories
	Truncated bool     // more level subdirectories exist than were probed
}

const probeOp = "probe dir"

// ProbeWritable proves that the runtime user can create files in the
// existing directory path, the way nginx does at request time in its temp
// and cache paths. nginx checks nothing at start, so a root-owned 0700
// client_body_temp_path lets nginx start, and the first request body larger
// than client_body_buffer_size fails with 500.
//
// levels are the directive's level widths ("client_body_temp_path
// /tmp/client_temp 1 2" has levels [1 2]). ProbeWritable probes every
// existing subdirectory whose names match them, depth first, up to
// maxSubdirs (DefaultMaxSubdirs when zero or negative), and sets Truncated
// when it stops early. It does not create missing level subdirectories,
// because nginx creates those itself.
//
// path is resolved like Prepare resolves it, except that a trusted symbolic
// link may be the last component too, as /var/run -> /run is for a pid
// file's directory. Any other link there is ErrSymlink, and a directory that is world-writable without
// the sticky bit, or lies below one, is ErrWorldWritable. Level subdirectories are opened with O_NOFOLLOW.
// The error is the *Error of the directory itself, or errors.Join of one
// *Error per failing subdirectory.
func ProbeWritable(path string, levels []int, maxSubdirs int) (ProbeResult, error) {
	var res ProbeResult
	if maxSubdirs <= 0 {
		maxSubdirs = DefaultMaxSubdirs
	}
	for _, l := range levels {
		if l < 1 || l > 2 {
			// nginx accepts levels of 1 or 2 characters and at most three levels.
			return res, &Error{Op: probeOp, Path: path, Reason: fmt.Sprintf("invalid levels %v, each must be 1 or 2", levels), Err: ErrInvalidDir}
		}
	}
	id, err := CurrentIdentity()
	if err != nil {
		return res, &Error{Op: probeOp, Path: path, Err: err}
	}
	opener := &dirOpener{op: probeOp, followFinalLink: true}
	fd, _, err := opener.openDir(path)
	if err != nil {
		return res, err
	}
	defer unix.Close(fd)
	res.Probed = append(res.Probed, path)
	if err := rejectWorldWritable(fd, path); err != nil {
		return res, err
	}
	if err := probeDir(fd, path, probeOp, id); err != nil {
		return res, err
	}

	var errs []error
	budget := maxSubdirs
	var visit func(dirfd int, dir string, levels []int)
	visit = func(dirfd int, dir string, levels []int) {
		if len(levels) == 0 || res.Truncated {
			return
		}
		names, err := readDirNames(dirfd)
		if err != nil {
			errs = append(errs, &Error{Op: probeOp, Path: dir, Reason: "list level subdirectories", Err: err})
			return
		}
		for _, name := range names {
			if len(name) != levels[0] || !isHex(name) {
				continue
			}
			if budget == 0 {
				res.Truncated = true
				return
			}
			sub := filepath.Join(dir, name)
			subfd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err == unix.ENOTDIR || err == unix.ELOOP {
				errs = append(errs, &Error{Op: probeOp, Path: sub, Err: levelEntryError(dirfd, name)})
				continue
			}
			if err != nil {
				errs = append(errs, &Error{Op: probeOp, Path: sub, Err: err})
				continue
			}
			budget--
			res.Probed = append(res.Probed, sub)
			if err := rejectWorldWritable(subfd, sub); err != nil {
				errs = append(errs, err)
			} else if err := probeDir(subfd, sub, probeOp, id); err != nil {
				errs = append(errs, err)
			}
			visit(subfd, sub, levels[1:])
			unix.Close(subfd)
		}
	}
	visit(fd, path, levels)
	return res, errors.Join(errs...)
}

// rejectWorldWritable returns ErrWorldWritable for an existing directory
// that any user may write to without the sticky bit, as Prepare does.
func rejectWorldWritable(fd int, path string) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &Error{Op: probeOp, Path: path, Err: err}
	}
	if !safefile.ReplaceableByAnyone(st.Mode) {
		return nil
	}
	mode := fileMode(st.Mode)
	return &Error{Op: probeOp, Path: path, Reason: ownerReason(st.Uid, st.Gid, mode), Err: ErrWorldWritable,
		Owner: st.Uid, Group: st.Gid, Mode: mode}
}

// levelEntryError returns ErrSymlink for a symbolic link and
// ErrNotDirectory for any other non-directory.
func levelEntryError(dirfd int, name string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return ErrSymlink
	}
	return ErrNotDirectory
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// readDirNames lists the entries of the directory dirfd, sorted, without "."
// and "..". It reads from a new descriptor so that dirfd's offset stays at 0.
func readDirNames(dirfd int) ([]string, error) {
	dup, err := unix.Openat(dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(dup), ".")
	defer f.Close()
	names, err := f.Readdirnames(-1)
	sort.Strings(names)
	return names, err
}

package fsprep

import (
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// checkAncestors reports every directory above the root that the runtime
// user cannot search. It follows symbolic links like the kernel does when
// nginx opens a file under the root.
func (w *walker) checkAncestors() {
	for _, dir := range ancestors(w.root) {
		var st unix.Stat_t
		if err := unix.Stat(dir, &st); err != nil {
			if err != unix.ENOENT {
				w.add(Finding{Kind: FindingUnsearchableAncestor, Path: dir, Detail: "stat: " + err.Error()})
			}
			return // the root's own open reports the missing part
		}
		if !w.id.Allows(st.Uid, st.Gid, st.Mode, AccessExecute) {
			w.addStat(FindingUnsearchableAncestor, dir, "", statOf(&st), "", "")
			continue
		}
		if err := unix.Access(dir, unix.X_OK); err == unix.EACCES || err == unix.EPERM {
			w.addStat(FindingKernelDenied, dir, "", statOf(&st), "ancestor of the root: "+findingDetail(FindingKernelDenied, w.id), "")
		}
	}
}

// ancestors returns "/", "/srv", "/srv/www" for the root "/srv/www/site".
func ancestors(root string) []string {
	var dirs []string
	for dir := filepath.Dir(root); ; dir = filepath.Dir(dir) {
		dirs = append(dirs, dir)
		if dir == "/" {
			break
		}
	}
	if root == "/" {
		return nil
	}
	for i, j := 0, len(dirs)-1; i < j; i, j = i+1, j-1 {
		dirs[i], dirs[j] = dirs[j], dirs[i]
	}
	return dirs
}

// rootOpenFailed turns a failed open of the root into a finding when it is
// a permission problem of the root itself.
func (w *walker) rootOpenFailed(err error) {
	var st unix.Stat_t
	if unix.Stat(w.root, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return
	}
	switch {
	case !w.id.Allows(st.Uid, st.Gid, st.Mode, AccessExecute):
		w.addStat(FindingUnsearchableDir, w.root, "", statOf(&st), "", "")
	case !w.id.Allows(st.Uid, st.Gid, st.Mode, AccessRead):
		w.addStat(FindingUnreadableDir, w.root, "", statOf(&st), "", "")
	case err == unix.EACCES || err == unix.EPERM:
		w.addStat(FindingKernelDenied, w.root, "", statOf(&st), "", "")
	}
}

// checkRoot reports a root that the runtime user can modify.
func (w *walker) checkRoot(fd int) {
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return
	}
	if !w.id.Allows(st.Uid, st.Gid, st.Mode, AccessExecute) {
		w.addStat(FindingUnsearchableDir, w.root, "", statOf(&st), "", "")
	}
	if w.id.Allows(st.Uid, st.Gid, st.Mode, AccessWrite) {
		w.addStat(FindingWritable, w.root, "", statOf(&st), "", "")
	}
}

// checkIndex reports a root that has none of the index files. nginx's index
// directive follows symbolic links, so the check does too.
func (w *walker) checkIndex(fd int, index []string) {
	if index == nil {
		index = []string{"index.html"}
	}
	if len(index) == 0 {
		return
	}
	for _, name := range index {
		var st unix.Stat_t
		if unix.Fstatat(fd, name, &st, 0) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			continue
		}
		if w.id.Allows(st.Uid, st.Gid, st.Mode, AccessRead) {
			if err := unix.Faccessat(fd, name, unix.R_OK, 0); err == unix.EACCES || err == unix.EPERM {
				w.addStat(FindingKernelDenied, filepath.Join(w.root, name), "", statOf(&st), "index file: "+findingDetail(FindingKernelDenied, w.id), "")
			}
		}
		return
	}
	detail := fmt.Sprintf("none of %s exists in the root, so a request for / fails with 403 \"directory index is forbidden\"", strings.Join(index, ", "))
	fix := fmt.Sprintf("add %s, or serve / with try_files or autoindex", index[0])
	if w.isMountPoint(fd) {
		detail += "; the root is a mount point, so a volume may hide the image's " + index[0]
		fix = fmt.Sprintf("add %s to the volume mounted at the root, or serve / with try_files or autoindex", index[0])
	}
	w.add(Finding{Kind: FindingMissingIndex, Path: w.root, Detail: detail, Fix: fix})
}

// checkMountPoint reports a root that is a mount point.
func (w *walker) checkMountPoint(fd int) {
	if w.resolvedRoot == "/" || !w.isMountPoint(fd) {
		return
	}
	detail := "the root is a mount point: the volume mounted here hides whatever the image has at this path"
	if m, err := mountOfFD(fd, w.root); err == nil {
		detail = fmt.Sprintf("the root is the mount point of %s: the volume hides whatever the image has at this path", m)
	}
	w.add(Finding{Kind: FindingMountPoint, Path: w.root, Detail: detail})
}

// isMountPoint reads STATX_ATTR_MOUNT_ROOT (Linux 5.8) and falls
// back to comparing st_dev with the parent's, which misses a bind mount
// from the same filesystem.
func (w *walker) isMountPoint(fd int) bool {
	var stx unix.Statx_t
	if unix.Statx(fd, "", unix.AT_EMPTY_PATH, unix.STATX_BASIC_STATS, &stx) == nil &&
		stx.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 {
		return stx.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0
	}
	var self, parent unix.Stat_t
	if unix.Fstat(fd, &self) != nil || unix.Fstatat(fd, "..", &parent, 0) != nil {
		return false
	}
	return self.Dev != parent.Dev
}

package fsprep

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// MountInfo describes the mount that holds a path.
type MountInfo struct {
	// Path is the path that was asked about, and Resolved the path the
	// kernel reports for its descriptor, with symbolic links resolved.
	Path, Resolved string

	// FSType is the filesystem type: the mountinfo type when /proc is
	// readable, otherwise a name derived from statfs's f_type magic number.
	FSType string
	Magic  int64 // statfs f_type

	// Flags from statfs f_flags (ST_RDONLY, ST_NOSUID, ST_NODEV, ST_NOEXEC).
	ReadOnly, NoSuid, NoDev, NoExec bool

	// Entry is the mountinfo line of the mount, and HasEntry whether one
	// was found. It is missing when /proc is not mounted.
	Entry    MountEntry
	HasEntry bool

	// RootOwner, RootGroup and RootMode describe the directory at the mount
	// point, which for a tmpfs comes from its uid=, gid= and mode= options
	// (root:root 1777 by default, but Docker's --tmpfs gives 0755 unless
	// mode= is set). RootMode is zero when the mount point was not found.
	RootOwner, RootGroup uint32
	RootMode             os.FileMode
}

// String describes the mount as "tmpfs on /tmp (rw,nosuid,nodev), mount
// root owner uid 0 gid 0, mode 1777 drwxrwxrwt". The owner and mode are
// those of the mount point, not of a path below it.
func (m MountInfo) String() string {
	s := m.Summary()
	if m.RootMode != 0 {
		s += ", " + m.RootOwnership()
	}
	return s
}

// Summary describes the mount without its root's owner and mode, as
// "tmpfs on /tmp (rw,nosuid,nodev)".
func (m MountInfo) Summary() string {
	var flags []string
	if m.ReadOnly {
		flags = append(flags, "ro")
	} else {
		flags = append(flags, "rw")
	}
	for _, f := range []struct {
		set  bool
		name string
	}{{m.NoSuid, "nosuid"}, {m.NoDev, "nodev"}, {m.NoExec, "noexec"}} {
		if f.set {
			flags = append(flags, f.name)
		}
	}
	if m.HasEntry {
		return fmt.Sprintf("%s on %s (%s)", m.FSType, m.Entry.MountPoint, strings.Join(flags, ","))
	}
	return fmt.Sprintf("%s (%s)", m.FSType, strings.Join(flags, ","))
}

// RootOwnership describes the mount point's owner and mode as "mount root
// owner uid 0 gid 0, mode 1777 drwxrwxrwt", or "" when RootMode is zero.
func (m MountInfo) RootOwnership() string {
	if m.RootMode == 0 {
		return ""
	}
	return "mount root " + ownerReason(m.RootOwner, m.RootGroup, m.RootMode)
}

// MountOf returns the mount that holds path. It follows symbolic links in
// path, like the kernel does when nginx opens it. When path does not exist,
// MountOf describes its nearest existing ancestor, which is where mkdir of
// path would fail or succeed; Path stays the path asked about.
//
// The flags and type come from fstatfs on a descriptor. The mount point and
// its options come from /proc/self/mountinfo. MountOf picks the entry whose
// major:minor is the descriptor's st_dev and whose mount point is the
// longest prefix of the resolved path. When no device matches, as on btrfs
// subvolumes with their anonymous st_dev, the longest prefix alone decides.
func MountOf(path string) (MountInfo, error) {
	p := filepath.Clean(path)
	for {
		fd, err := unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err == unix.ENOENT && p != "/" && p != "." {
			p = filepath.Dir(p)
			continue
		}
		if err != nil {
			return MountInfo{}, &os.PathError{Op: "open", Path: p, Err: err}
		}
		m, err := mountOfFD(fd, path)
		unix.Close(fd)
		return m, err
	}
}

// IsReadOnly reports whether the filesystem that holds path is mounted
// read-only. IsReadOnly("/") reports whether the container's root
// filesystem is read-only, as with docker run --read-only.
func IsReadOnly(path string) (bool, error) {
	var fs unix.Statfs_t
	if err := unix.Statfs(path, &fs); err != nil {
		return false, &os.PathError{Op: "statfs", Path: path, Err: err}
	}
	return fs.Flags&unix.ST_RDONLY != 0, nil
}

// mountOfFD describes the mount of the file open as fd; path is only for
// the result and errors.
func mountOfFD(fd int, path string) (MountInfo, error) {
	m := MountInfo{Path: path}
	var fs unix.Statfs_t
	if err := unix.Fstatfs(fd, &fs); err != nil {
		return m, &os.PathError{Op: "fstatfs", Path: path, Err: err}
	}
	m.Magic = int64(fs.Type)
	m.FSType = fsTypeName(m.Magic)
	m.ReadOnly = fs.Flags&unix.ST_RDONLY != 0
	m.NoSuid = fs.Flags&unix.ST_NOSUID != 0
	m.NoDev = fs.Flags&unix.ST_NODEV != 0
	m.NoExec = fs.Flags&unix.ST_NOEXEC != 0

	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return m, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	m.Resolved = path
	if resolved, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)); err == nil && filepath.IsAbs(resolved) {
		m.Resolved = resolved
	}

	entries, err := ReadMountinfo()
	if err != nil {
		// Without /proc, statfs still gives the type and the flags.
		return m, nil
	}
	if e, ok := findMount(entries, unix.Major(st.Dev), unix.Minor(st.Dev), m.Resolved); ok {
		m.Entry, m.HasEntry = e, true
		m.FSType = e.FSType
		var root unix.Stat_t
		if unix.Stat(e.MountPoint, &root) == nil {
			m.RootOwner, m.RootGroup, m.RootMode = root.Uid, root.Gid, fileMode(root.Mode)
		}
	}
	return m, nil
}

// findMount picks the entry for a file with device major:minor at resolved.
// Among entries of that device it takes the longest mount point that
// contains resolved, and among all entries when none of the device does.
func findMount(entries []MountEntry, major, minor uint32, resolved string) (MountEntry, bool) {
	best, found := MountEntry{}, false
	bestDev := false
	for _, e := range entries {
		if !pathHasPrefix(resolved, e.MountPoint) {
			continue
		}
		sameDev := e.Major == major && e.Minor == minor
		switch {
		case !found,
			sameDev && !bestDev,
			sameDev == bestDev && len(e.MountPoint) >= len(best.MountPoint):
			// A later entry with the same mount point is mounted on top of
			// the earlier one, so >= keeps the visible one.
			best, found, bestDev = e, true, sameDev
		}
	}
	return best, found
}

// pathHasPrefix reports whether path is dir or inside it.
func pathHasPrefix(path, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// fsTypeNames maps statfs f_type to the type name that mount(8) uses.
// ext2, ext3 and ext4 share one magic number.
var fsTypeNames = map[int64]string{
	unix.TMPFS_MAGIC:           "tmpfs",
	unix.RAMFS_MAGIC:           "ramfs",
	unix.OVERLAYFS_SUPER_MAGIC: "overlay",
	unix.EXT4_SUPER_MAGIC:      "ext4",
	unix.XFS_SUPER_MAGIC:       "xfs",
	unix.BTRFS_SUPER_MAGIC:     "btrfs",
	unix.NFS_SUPER_MAGIC:       "nfs",
	unix.CIFS_SUPER_MAGIC:      "cifs",
	unix.SMB2_SUPER_MAGIC:      "smb3",
	unix.FUSE_SUPER_MAGIC:      "fuse",
	unix.SQUASHFS_MAGIC:        "squashfs",
	unix.ISOFS_SUPER_MAGIC:     "iso9660",
	unix.CEPH_SUPER_MAGIC:      "ceph",
	unix.V9FS_MAGIC:            "9p",
	unix.F2FS_SUPER_MAGIC:      "f2fs",
	unix.PROC_SUPER_MAGIC:      "proc",
	unix.SYSFS_MAGIC:           "sysfs",
	unix.DEVPTS_SUPER_MAGIC:    "devpts",
	unix.CGROUP2_SUPER_MAGIC:   "cgroup2",
	unix.CGROUP_SUPER_MAGIC:    "cgroup",
	unix.HUGETLBFS_MAGIC:       "hugetlbfs",
	unix.MSDOS_SUPER_MAGIC:     "vfat",
	unix.EXFAT_SUPER_MAGIC:     "exfat",
	unix.BCACHEFS_SUPER_MAGIC:  "bcachefs",
}

// fsTypeName returns the name of a statfs f_type, or its hex value for a
// type not in fsTypeNames (zfs, for one, has no constant in x/sys/unix).
func fsTypeName(magic int64) string {
	if name, ok := fsTypeNames[magic]; ok {
		return name
	}
	return fmt.Sprintf("0x%x", magic)
}

package fsprep

import (
	"fmt"
	"os"
)

// Severity orders findings for a report.
type Severity int

const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityError
)

func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	default:
		return "error"
	}
}

// FindingKind is the kind of problem WalkRoot found with one path.
type FindingKind int

const (
	// FindingUnreadableFile is a regular file whose mode does not grant read
	// to the runtime user, so nginx responds 403 for it.
	FindingUnreadableFile FindingKind = iota + 1
	// FindingUnsearchableDir is a directory without search (x) permission.
	// nginx responds 403 for everything below it, and the walk skips it.
	FindingUnsearchableDir
	// FindingUnreadableDir is a searchable directory without read permission.
	// nginx serves files from it but autoindex fails, and the walk cannot
	// list it, so its contents are not checked.
	FindingUnreadableDir
	// FindingUnsearchableAncestor is a directory above the root without
	// search permission, so nothing in the root can be served.
	FindingUnsearchableAncestor
	// FindingSpecialFile is a FIFO, socket or device inside the root. nginx
	// 1.22 opens it with O_NONBLOCK, so no worker blocks, and responds 404.
	FindingSpecialFile
	// FindingSymlinkOutside is a symbolic link that resolves outside the
	// root, to content the image may not have at run time.
	FindingSymlinkOutside
	// FindingDanglingSymlink is a symbolic link whose target does not exist.
	FindingDanglingSymlink
	// FindingWritable is a file or directory the runtime user can modify,
	// though nginx only reads what it serves.
	FindingWritable
	// FindingMissingIndex is a root without any of WalkOptions.Index, so a
	// request for "/" fails with 403 unless autoindex or try_files serves it.
	FindingMissingIndex
	// FindingMountPoint is a root that is itself a mount point: the volume
	// hides whatever the image has at that path.
	FindingMountPoint
	// FindingKernelDenied is a path whose mode grants access but where the
	// kernel still denied it: a security module (SELinux, AppArmor), an ACL
	// or an id-mapped mount.
	FindingKernelDenied
	// FindingWalkError is a directory or file the walk could not examine
	// for a reason not covered above.
	FindingWalkError

	findingKindCount // one past the last kind, for arrays indexed by kind
)

var findingKindNames = map[FindingKind]string{
	FindingUnreadableFile:       "unreadable-file",
	FindingUnsearchableDir:      "unsearchable-dir",
	FindingUnreadableDir:        "unreadable-dir",
	FindingUnsearchableAncestor: "unsearchable-ancestor",
	FindingSpecialFile:          "special-file",
	FindingSymlinkOutside:       "symlink-outside-root",
	FindingDanglingSymlink:      "dangling-symlink",
	FindingWritable:             "writable",
	FindingMissingIndex:         "missing-index",
	FindingMountPoint:           "mount-point",
	FindingKernelDenied:         "kernel-denied",
	FindingWalkError:            "walk-error",
}

func (k FindingKind) String() string {
	if name, ok := findingKindNames[k]; ok {
		return name
	}
	return fmt.Sprintf("FindingKind(%d)", int(k))
}

// Severity returns how serious a finding of this kind is about the root
// itself, an ancestor of it or its index file: an error breaks requests, a
// warning may, and info explains. A finding about a path below the root is
// at most a warning (Finding.Severity), because nginx serves everything
// else and responds 403 or 404 only for that path, which is often intended
// (a .git directory of mode 0700, a .htpasswd of mode 0600).
func (k FindingKind) Severity() Severity {
	switch k {
	case FindingWritable, FindingDanglingSymlink, FindingSymlinkOutside, FindingUnreadableDir, FindingMissingIndex:
		return SeverityWarning
	case FindingMountPoint:
		return SeverityInfo
	default:
		return SeverityError
	}
}

// Finding is one problem with one path below or above a static root.
type Finding struct {
	Kind FindingKind
	Path string

	// Severity is Kind.Severity() for the root, its ancestors and its index
	// files, and at most SeverityWarning for any other path below the root.
	Severity Severity

	// Owner, Group and Mode are the path's, from fstatat without following
	// a symbolic link. Mode is zero for findings about no single file.
	Owner, Group uint32
	Mode         os.FileMode

	// Detail is the problem and the identity it affects.
	Detail string

	// Fix is the change that removes the problem.
	Fix string
}

// String formats the finding as "error unreadable-file /srv/a.css (owner
// uid 0 gid 0, mode 0600 -rw-------): detail; fix: fix".
func (f Finding) String() string {
	s := fmt.Sprintf("%s %s %s", f.Severity, f.Kind, f.Path)
	if f.Mode != 0 {
		s += " (" + ownerReason(f.Owner, f.Group, f.Mode) + ")"
	}
	s += ": " + f.Detail
	if f.Fix != "" {
		s += "; fix: " + f.Fix
	}
	return s
}

// findingDetail returns the standard Detail text of a kind for identity id.
func findingDetail(kind FindingKind, id Identity) string {
	switch kind {
	case FindingUnreadableFile:
		return fmt.Sprintf("not readable by %s, so nginx responds 403", id)
	case FindingUnsearchableDir:
		return fmt.Sprintf("not searchable by %s, so nginx responds 403 for everything below it", id)
	case FindingUnreadableDir:
		return fmt.Sprintf("not readable by %s: files are served but autoindex fails, and the walk did not check its contents", id)
	case FindingUnsearchableAncestor:
		return fmt.Sprintf("ancestor of the root not searchable by %s, so nothing in the root can be served", id)
	case FindingSpecialFile:
		return "not a regular file, so nginx responds 404 for it and logs \"is not a regular file\" at crit level; nginx 1.22 opens it with O_NONBLOCK, so a FIFO does not block a worker"
	case FindingWritable:
		return fmt.Sprintf("writable by %s although nginx only reads it, so a compromised worker could change served content", id)
	case FindingKernelDenied:
		return "the mode allows it, but the kernel denied it: a security module (SELinux label, AppArmor profile), an ACL or an id-mapped mount"
	}
	return ""
}

// findingFixes are the fixes of each kind, in the words of a Dockerfile.
var findingFixes = map[FindingKind]string{
	FindingUnreadableFile:       "make it readable by others (chmod o+r) or by a group of the runtime user (chgrp, then chmod g+r)",
	FindingUnsearchableDir:      "chmod o+x, or chgrp to a group of the runtime user and chmod g+x",
	FindingUnreadableDir:        "chmod o+r, or chgrp to a group of the runtime user and chmod g+r",
	FindingUnsearchableAncestor: "chmod o+x on that directory",
	FindingSpecialFile:          "remove it from the static root",
	FindingSymlinkOutside:       "copy the target into the root, or make sure it exists and is readable in the running container",
	FindingDanglingSymlink:      "remove the link, or add its target to the image",
	FindingWritable:             "chmod go-w, or copy the site into the image owned by another user (COPY without --chown gives root)",
	FindingMissingIndex:         "add the index file, or serve / with try_files or autoindex",
	FindingMountPoint:           "none if the volume is meant to replace the image's content; otherwise check that it contains the site",
	FindingKernelDenied:         "check the volume's SELinux label (:z or :Z in Docker, seLinuxOptions in Kubernetes), the AppArmor profile, the ACLs and the mount's idmap",
	FindingWalkError:            "make the path readable by the runtime user, or remove it from the static root",
}

// findingFix returns the standard Fix text of a kind.
func findingFix(kind FindingKind) string {
	return findingFixes[kind]
}

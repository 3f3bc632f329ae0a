package preflight

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nginit/nginit/fsprep"
	"github.com/nginit/nginit/nginxconf"
	"golang.org/x/sys/unix"
)

// checkReads checks every file and static root nginx reads.
func checkReads(r *Report, in Input) {
	walked := map[string]bool{}
	for _, read := range in.Plan.Reads {
		if read.Kind == nginxconf.ReadStaticRoot {
			if read.BackendOnly {
				// The root only sets $document_root for a backend,
				// which has its own filesystem.
				continue
			}
			// An alias is often spelled with a trailing slash, so
			// "/x/html/" and "/x/html" name the same root.
			key := filepath.Clean(read.Path)
			if walked[key] {
				continue
			}
			walked[key] = true
			checkStaticRoot(r, in, read)
			continue
		}
		checkReadable(r, in.Process, read)
	}
}

// checkReadable predicts "open() ... failed (13: Permission denied)" and
// "(2: No such file or directory)" for a file nginx opens at start.
func checkReadable(r *Report, p Process, read nginxconf.Read) {
	subj := fmt.Sprintf("%s %s (%s, %s)", read.Kind, read.Path, read.Directive, read.Source)
	fi, err := os.Stat(read.Path)
	if errors.Is(err, fs.ErrNotExist) {
		r.add(Finding{
			Check:    "read.missing",
			Severity: Error,
			Subject:  subj,
			Message:  "the file does not exist" + hiddenBy(read.Path),
			Fix:      "add the file to the image, or mount it; a volume mounted over a directory hides every file the image has there, so mount single files with subPath",
		})
		return
	}
	if err != nil {
		r.add(Finding{Check: "read.unreadable", Severity: Error, Subject: subj, Message: err.Error(),
			Fix: "make every directory above the file searchable by the runtime user"})
		return
	}

	err = unix.Faccessat(unix.AT_FDCWD, read.Path, unix.R_OK, unix.AT_EACCESS)
	if err == nil {
		return
	}
	st, _ := fi.Sys().(*unix.Stat_t)
	var owner, group uint32
	if st != nil {
		owner, group = st.Uid, st.Gid
	}
	id := fsprep.Identity{UID: uint32(p.UID), GID: uint32(p.GID)}
	for _, g := range p.Groups {
		id.Groups = append(id.Groups, uint32(g))
	}
	mode := uint32(fi.Mode().Perm())
	modeText := fmt.Sprintf("owner uid %d gid %d, mode %s", owner, group, fsprep.FormatMode(fi.Mode()))

	f := Finding{Check: "read.unreadable", Severity: Error, Subject: subj}
	if id.Allows(owner, group, mode, fsprep.AccessRead) {
		f.Check = "read.kernel-denied"
		f.Message = fmt.Sprintf("the mode allows %s to read it (%s), but the kernel denied it (%v): a security module (SELinux, AppArmor) or an id-mapped mount", p.identity(), modeText, err)
		f.Fix = "check the volume's SELinux label (mount it with :z or :Z, or set seLinuxOptions) and the AppArmor profile"
	} else {
		f.Message = fmt.Sprintf("not readable by %s (%s)", p.identity(), modeText)
		f.Fix = "make it readable by a group of the runtime user: chgrp 101 and chmod 0440 in the image; for a Kubernetes Secret, fsGroup: 101 in the pod's securityContext and defaultMode: 0440 on the volume"
	}
	r.add(f)
}

// hiddenBy returns a sentence when the nearest existing directory of a missing file is a
// mount point, which is how a ConfigMap over /etc/nginx hides mime.types.
func hiddenBy(path string) string {
	dir := filepath.Dir(path)
	for {
		if _, err := os.Stat(dir); err == nil || dir == "/" {
			break
		}
		dir = filepath.Dir(dir)
	}
	m, err := fsprep.MountOf(dir)
	if err != nil || !m.HasEntry || m.Entry.MountPoint != dir || dir == "/" {
		return ""
	}
	return fmt.Sprintf("; %s is a mount point (%s), which hides whatever the image has below it", dir, m)
}

// checkStaticRoot walks a root or alias and reports each offender. nginx
// starts whatever the root holds, so a missing root is a warning: the
// volume may be mounted later, or a sidecar may serve the path. Every
// finding about nginx's default root is a warning at most, because a
// server without root often never serves a file.
func checkStaticRoot(r *Report, in Input, read nginxconf.Read) {
	subj := fmt.Sprintf("%s %s (%s, %s)", read.Kind, read.Path, read.Directive, read.Source)
	index := read.Index
	if read.Directive == "alias" {
		// An alias of an exact-match location often names one file, such as
		// /favicon.ico, which nginx serves like any file it reads.
		if fi, err := os.Stat(read.Path); err == nil && fi.Mode().IsRegular() {
			checkReadable(r, in.Process, read)
			return
		}
		// An alias maps a location prefix, so its index file sits wherever
		// the request lands; only the directory itself is checked.
		index = []string{}
	}
	rep, err := fsprep.WalkRoot(read.Path, fsprep.WalkOptions{Limit: in.WalkLimit, Index: index})
	if err != nil && len(rep.Findings) > 0 {
		// The findings explain why the root could not be opened, such as
		// an ancestor directory the runtime user cannot search.
		addWalkFindings(r, read, rep)
		return
	}
	if err != nil {
		sev := Error
		if errors.Is(err, fs.ErrNotExist) {
			sev = Warning
			err = fmt.Errorf("the directory does not exist%s, so nginx starts but responds 404 to requests for files in it", hiddenBy(read.Path))
		}
		if read.Implicit {
			sev = Warning
			err = fmt.Errorf("%w; it is nginx's default root because the server has no root directive", err)
		}
		f := Finding{Check: "static.root", Severity: sev, Subject: subj, Message: err.Error(),
			Fix: "copy the site into the image at this path, or point the directive at it"}
		if read.Implicit {
			f.Fix = "set root in the server or http block, or give every location a root, alias, proxy_pass or return"
		}
		r.add(f)
		return
	}

	addWalkFindings(r, read, rep)
	if rep.Truncated {
		r.add(Finding{Check: "static.walk-limit", Severity: Warning, Subject: subj, Message: rep.TruncatedReason,
			Fix: "raise NGINIT_WALK_LIMIT, which counts directory entries (files, directories, links), or accept that entries past the limit are not checked"})
	}
	r.add(Finding{
		Check:    "static.summary",
		Severity: Info,
		Subject:  subj,
		Message:  fmt.Sprintf("%s, %s, %d bytes checked", plural(int(rep.Files), "file"), plural(int(rep.Dirs), "directory"), rep.Bytes),
	})
}

// addWalkFindings adds one finding per offender of a static-root walk,
// with its owner and mode, and one for all the writable paths.
func addWalkFindings(r *Report, read nginxconf.Read, rep fsprep.WalkReport) {
	writableSeen := false
	for _, f := range rep.Findings {
		finding := Finding{
			Check:    "static." + f.Kind.String(),
			Severity: severityOf(f.Severity),
			Subject:  f.Path,
			Message:  f.Detail,
			Fix:      f.Fix,
		}
		if read.Implicit && finding.Severity == Error {
			finding.Severity = Warning
			finding.Message += "; the path is in nginx's default root, which applies because the server has no root directive"
		}
		if f.Mode != 0 {
			finding.Subject = fmt.Sprintf("%s (owner uid %d gid %d, mode %s)", f.Path, f.Owner, f.Group, fsprep.FormatMode(f.Mode))
		}
		if f.Kind == fsprep.FindingWritable {
			// One line per writable file would drown the report.
			if writableSeen {
				continue
			}
			writableSeen = true
			finding.Message = fmt.Sprintf("%s (%d such paths below %s)", f.Detail, rep.Counts[f.Kind], read.Path)
		}
		r.add(finding)
	}
}

func severityOf(s fsprep.Severity) Severity {
	switch s {
	case fsprep.SeverityError:
		return Error
	case fsprep.SeverityWarning:
		return Warning
	}
	return Info
}

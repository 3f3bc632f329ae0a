package preflight

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nginit/nginit/fsprep"
	"github.com/nginit/nginit/nginxconf"
	"golang.org/x/sys/unix"
)

// sharedDirMode is the mode of the temp and cache directories nginit
// creates: setgid so files keep the directory's group, and group-writable so
// a supplementary group (Kubernetes fsGroup) may share them. nginx creates
// its temp files 0600 itself, so the group gets no access to request bodies.
const sharedDirMode = os.ModeSetgid | 0o770

// writeCheck collects the outcome of the writable paths so one fix can be
// printed for all the temp and cache paths that failed.
type writeCheck struct {
	report   *Report
	process  Process
	tmpfs    TmpfsPolicy
	failed   []nginxconf.Write
	prepared map[string]bool
	// parentErr is the outcome for each directory parent proved, so that
	// every file in a failed directory is reported, not only the first.
	parentErr map[string]error
	// staticRoots are the roots nginx serves, which no suggested mount may
	// cover.
	staticRoots []string
}

// checkWrites prepares every directory nginx writes into, and proves it.
func checkWrites(r *Report, in Input) {
	wc := &writeCheck{report: r, process: in.Process, tmpfs: in.Tmpfs, prepared: map[string]bool{}, parentErr: map[string]error{}}
	for _, read := range in.Plan.Reads {
		if read.Kind == nginxconf.ReadStaticRoot {
			wc.staticRoots = append(wc.staticRoots, read.Path)
		}
	}
	for _, w := range in.Plan.Writes {
		// Without a pid directive nginit adds one into its runtime
		// directory, which the caller has prepared already.
		if w.Kind == nginxconf.WritePIDFile && in.Plan.Facts.PID == nil {
			continue
		}
		if w.Kind == nginxconf.WriteErrorLog && w.Path == in.Plan.StartupErrorLog && in.ErrorLogToStderr {
			r.add(Finding{
				Check:    "write.startup-error-log",
				Severity: Info,
				Subject:  subject(w),
				Message:  "not writable, so nginit passes -e stderr and nginx logs to standard error instead",
			})
			continue
		}
		switch {
		case w.Kind.IsDir():
			wc.dir(w)
		case w.Kind == nginxconf.WriteSocket:
			wc.parent(w)
		default:
			wc.file(w)
		}
	}
	wc.fixAll()
}

// dir prepares a temp or cache directory, or proves an existing one.
func (wc *writeCheck) dir(w nginxconf.Write) {
	if wc.prepared[w.Path] {
		return
	}
	wc.prepared[w.Path] = true

	_, statErr := os.Lstat(w.Path)
	if statErr == nil {
		// nginx treats an existing directory as fine and fails only on the
		// first request body or upstream response that spills to disk.
		if _, err := fsprep.ProbeWritable(w.Path, levels(w.Levels), 0); err != nil {
			wc.fail(w, err)
			return
		}
		wc.onTmpfs(w.Path, subject(w))
		return
	}

	res, err := fsprep.Prepare(fsprep.Dir{Path: w.Path, Mode: sharedDirMode, Purpose: string(w.Kind), Shared: true})
	if errors.Is(err, fsprep.ErrModeNotApplied) {
		wc.report.add(Finding{
			Check:    "write.setgid",
			Severity: Info,
			Subject:  subject(w),
			Message:  fmt.Sprintf("the kernel dropped the setgid bit of %s (%s); nginx does not need it", w.Path, err),
		})
		err = nil
	}
	if err != nil {
		wc.fail(w, err)
		return
	}
	if len(res.Created) > 0 {
		wc.report.add(Finding{
			Check:    "write.created",
			Severity: Info,
			Subject:  subject(w),
			Message:  fmt.Sprintf("created %s with mode %s", strings.Join(res.Created, ", "), fsprep.FormatMode(res.Mode)),
		})
	}
	wc.onTmpfs(w.Path, subject(w))
}

// file checks a pid file or log file: the file must be writable if it
// exists, and its directory must let the runtime user create it otherwise.
func (wc *writeCheck) file(w nginxconf.Write) {
	if w.Path == "/dev/stdout" || w.Path == "/dev/stderr" {
		return
	}
	if target, ok := standardStreamLink(w.Path); ok {
		wc.standardStream(w, target)
		return
	}
	if _, err := os.Stat(w.Path); err == nil {
		if err := unix.Faccessat(unix.AT_FDCWD, w.Path, unix.W_OK, unix.AT_EACCESS); err != nil {
			wc.fail(w, &os.PathError{Op: "open for writing", Path: w.Path, Err: err})
		}
		return
	}
	wc.parent(w)
}

// standardStreamLink returns the target of path when path is a symbolic
// link to a standard stream, as the official image links
// /var/log/nginx/access.log to /dev/stdout.
func standardStreamLink(path string) (string, bool) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return "", false
	}
	target, err := os.Readlink(path)
	if err != nil {
		return "", false
	}
	switch {
	case target == "/dev/stdout", target == "/dev/stderr",
		strings.HasPrefix(target, "/proc/self/fd/"), strings.HasPrefix(target, "/dev/fd/"):
		return target, true
	}
	return "", false
}

// standardStream checks a log file linked to a standard stream. Opening it
// reopens nginit's own standard output or error, which the runtime user can
// do only when it may write the pipe or terminal behind it.
func (wc *writeCheck) standardStream(w nginxconf.Write, target string) {
	err := unix.Faccessat(unix.AT_FDCWD, w.Path, unix.W_OK, unix.AT_EACCESS)
	if err == nil {
		return
	}
	owner := ""
	var st unix.Stat_t
	if unix.Stat(w.Path, &st) == nil {
		owner = fmt.Sprintf(" (owner uid %d gid %d, mode %s)", st.Uid, st.Gid, fsprep.FormatMode(os.FileMode(st.Mode&0o777)))
	}
	wc.report.add(Finding{
		Check:    "write.not-writable",
		Severity: Error,
		Subject:  subject(w),
		Message: fmt.Sprintf("%s is a link to %s, and the standard stream behind it%s belongs to another uid than %s, so nginx cannot open it: %v",
			w.Path, target, owner, wc.process.identity(), err),
		Fix: "a container runtime gives the pipe to the container's user, so this happens on a host, or when nginit runs as another uid than the one that started it: " +
			"run nginit as the user that owns its standard output and error, or use error_log stderr, which nginx writes without opening a file",
	})
}

// parent proves the directory of a file nginx creates. A directory is
// proved once, and its failure is reported for each file nginx creates in
// it, such as both error.log and access.log in /var/log/nginx.
func (wc *writeCheck) parent(w nginxconf.Write) {
	dir := filepath.Dir(w.Path)
	if err, proved := wc.parentErr[dir]; proved {
		if err != nil {
			wc.fail(w, err)
		}
		return
	}
	err := wc.proveParent(w, dir)
	wc.parentErr[dir] = err
	if err != nil {
		wc.fail(w, err)
	}
}

// proveParent creates dir when it does not exist, or probes it by creating
// and removing a file.
func (wc *writeCheck) proveParent(w nginxconf.Write, dir string) error {
	if _, err := os.Lstat(dir); err != nil {
		// nginx does not create the directory of a pid or log file.
		res, err := fsprep.Prepare(fsprep.Dir{Path: dir, Mode: 0o700, Purpose: "directory of the " + string(w.Kind), Shared: true})
		if err != nil {
			return err
		}
		wc.report.add(Finding{
			Check:    "write.created",
			Severity: Info,
			Subject:  subject(w),
			Message:  fmt.Sprintf("created %s with mode %s", strings.Join(res.Created, ", "), fsprep.FormatMode(res.Mode)),
		})
		return nil
	}
	_, err := fsprep.ProbeWritable(dir, nil, 0)
	return err
}

// onTmpfs applies NGINIT_TMPFS to a writable path.
func (wc *writeCheck) onTmpfs(path, subj string) {
	if wc.tmpfs == TmpfsOff {
		return
	}
	m, err := fsprep.MountOf(path)
	if err != nil || m.FSType == "tmpfs" || m.FSType == "ramfs" {
		return
	}
	severity := Warning
	if wc.tmpfs == TmpfsRequire {
		severity = Error
	}
	wc.report.add(Finding{
		Check:    "write.not-tmpfs",
		Severity: severity,
		Subject:  subj,
		Message:  fmt.Sprintf("%s is on %s, not on tmpfs: temp files then go to the container's writable layer or a persistent volume", path, m.Summary()),
		Fix:      "docker run --tmpfs /tmp, or an emptyDir: {medium: Memory} volume at /tmp in Kubernetes; NGINIT_TMPFS=off silences this",
	})
}

// fail turns a preparation error into a finding with the fix for its cause.
func (wc *writeCheck) fail(w nginxconf.Write, err error) {
	if w.Kind == nginxconf.WriteTempDir || w.Kind == nginxconf.WriteCacheDir {
		wc.failed = append(wc.failed, w)
	}
	f := Finding{Check: "write.not-writable", Severity: Error, Subject: subject(w)}

	switch {
	case errors.Is(err, fsprep.ErrSymlink):
		f.Check = "write.symlink"
		f.Message = fmt.Sprintf("%v; nginit never follows a symbolic link it does not trust, since another user could point it anywhere", err)
		f.Fix = "remove the link from the image, or point the directive at a real directory on a writable mount such as /tmp"
	case errors.Is(err, fsprep.ErrWorldWritable):
		f.Check = "write.world-writable"
		f.Message = fmt.Sprintf("%v; any user could replace the files nginx writes there", err)
		f.Fix = "chmod +t (as /tmp has) or chmod o-w on that directory in the image, or mount a tmpfs with mode 1777 there; or point the directive at a directory under /tmp"
	case errors.Is(err, unix.EROFS):
		f.Message = withMount(err, w.Path, false)
		if target, ok := wc.mountTarget(w.Path); ok {
			f.Fix = fmt.Sprintf("put it under a writable mount: docker run --tmpfs %[1]s, or an emptyDir: {medium: Memory} volume mounted at %[1]s", target)
		} else {
			f.Fix = moveUnderTmp(w)
		}
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM), errors.Is(err, fsprep.ErrForeignOwner):
		f.Message = withMount(err, w.Path, true)
		f.Fix = wc.permissionFix(w)
	default:
		f.Message = err.Error()
		f.Fix = "point the directive at a directory on a writable mount such as /tmp"
	}
	if w.Kind == nginxconf.WritePIDFile {
		pidFix := "remove the pid directive so nginit puts the pid file in its runtime directory, or set pid /tmp/nginx.pid;"
		if _, ok := wc.mountTarget(w.Path); ok {
			pidFix += "\nor " + f.Fix
		}
		f.Fix = pidFix
	}
	wc.report.add(f)
}

// permissionFix names the fixes for a directory the runtime user may not
// write: a tmpfs with the right mode, or the OpenShift group convention.
// Neither is offered for a directory the image shares with other content.
func (wc *writeCheck) permissionFix(w nginxconf.Write) string {
	target, ok := wc.mountTarget(w.Path)
	if !ok {
		return moveUnderTmp(w)
	}
	fix := fmt.Sprintf("mount a tmpfs writable by the runtime user: docker run --mount type=tmpfs,destination=%[1]s,tmpfs-mode=1777 "+
		"(a tmpfs takes the mode of the directory it covers, so a plain --tmpfs over a root-owned 0755 directory stays unwritable), "+
		"or an emptyDir: {medium: Memory} volume at %[1]s in Kubernetes", target)
	// A pid or log file is created at run time, so the Dockerfile can
	// change only its directory.
	start := w.Path
	if !w.Kind.IsDir() {
		start = filepath.Dir(w.Path)
	}
	if ancestor := existingAncestor(start); !wc.sharedDir(ancestor) {
		fix += fmt.Sprintf("\nor, for OpenShift's arbitrary uids with gid 0, in the Dockerfile: RUN chgrp -R 0 %[1]s && chmod -R g=u %[1]s", ancestor)
	}
	return fix
}

// moveUnderTmp suggests moving a written path under /tmp, for a path whose
// directory cannot take a mount without hiding the image's files.
func moveUnderTmp(w nginxconf.Write) string {
	dir := filepath.Dir(w.Path)
	return fmt.Sprintf("move it under /tmp, which read-only deployments mount writable: %s %s; "+
		"a mount over %s would hide the files the image has there", w.Directive, tmpPathFor(w), dir)
}

// tmpPathFor returns where under /tmp a written path may move.
func tmpPathFor(w nginxconf.Write) string {
	if w.Kind.IsDir() {
		return "/tmp/nginx/" + filepath.Base(w.Path)
	}
	return "/tmp/" + filepath.Base(w.Path)
}

// existingAncestor returns path, or its nearest ancestor that exists: the
// directory a Dockerfile can change for a path nginx would create.
func existingAncestor(path string) string {
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); err == nil || p == "/" {
			return p
		}
	}
}

// nginxDirs are directories that hold only nginx's runtime files in the
// images nginx ships in, so a mount over them hides nothing else.
var nginxDirs = []string{"/tmp", "/run", "/var/run", "/var/cache/nginx", "/var/lib/nginx", "/var/log/nginx"}

// sharedImageDirs hold other content of the image, so a mount over one
// would hide it: over /usr/share it would hide the web root.
var sharedImageDirs = map[string]bool{
	"/": true, "/usr": true, "/usr/share": true, "/usr/local": true, "/usr/lib": true,
	"/etc": true, "/var": true, "/srv": true, "/opt": true, "/home": true,
}

// mountTarget returns the directory to mount a tmpfs on for path: the
// nginx directory that holds it, else the path's own directory. It returns
// false when that directory is one the image shares with other content,
// or holds a static root.
func (wc *writeCheck) mountTarget(path string) (string, bool) {
	path = filepath.Clean(path)
	for _, dir := range nginxDirs {
		if path != dir && pathUnder(path, dir) {
			return dir, true
		}
	}
	target := filepath.Dir(path)
	if wc.sharedDir(target) {
		return "", false
	}
	return target, true
}

// sharedDir reports whether a mount over dir would hide the image's files:
// dir is a shared image directory, or a static root is dir or below it.
func (wc *writeCheck) sharedDir(dir string) bool {
	if sharedImageDirs[dir] {
		return true
	}
	for _, root := range wc.staticRoots {
		if pathUnder(filepath.Clean(root), dir) {
			return true
		}
	}
	return false
}

// pathUnder reports whether path is dir or below it.
func pathUnder(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}

// withMount returns err's text followed by the mount that backs path,
// saying nothing twice: the mount is left out when err names it already,
// and its root's owner and mode when err states them for the same
// directory. The owner and mode are added only when withOwner is set,
// since they explain a permission problem but not a read-only mount.
func withMount(err error, path string, withOwner bool) string {
	text := err.Error()
	var prepErr *fsprep.Error
	m, ok := fsprep.MountInfo{}, false
	if errors.As(err, &prepErr) && prepErr.Mount != nil {
		m, ok = *prepErr.Mount, true
	} else {
		m, ok = mountOf(path)
	}
	if !ok {
		return text + "; the path is on an unknown mount"
	}
	if strings.Contains(text, m.Summary()) {
		return text
	}
	desc := m.Summary()
	if root := m.RootOwnership(); withOwner && root != "" && !strings.Contains(text, strings.TrimPrefix(root, "mount root ")) {
		desc += ", " + root
	}
	return text + "; the path is on " + desc
}

// mountOf returns the mount that backs path. When the runtime user cannot
// reach path, as below a root-owned 0700 directory, it returns the mount of
// the nearest ancestor it can open.
func mountOf(path string) (fsprep.MountInfo, bool) {
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if m, err := fsprep.MountOf(p); err == nil {
			return m, true
		}
		if p == "/" || p == "." {
			return fsprep.MountInfo{}, false
		}
	}
}

// fixAll prints one http {} snippet that moves every failed temp and cache
// path under /tmp, so one change fixes all of them. When they are all under
// /tmp already, the fix is a writable /tmp instead.
func (wc *writeCheck) fixAll() {
	if len(wc.failed) < 2 {
		return
	}
	const writableTmp = "docker run --read-only --tmpfs /tmp, or an emptyDir: {medium: Memory} volume at /tmp"

	var moved []nginxconf.Write
	for _, w := range wc.failed {
		if !pathUnder(filepath.Clean(w.Path), "/tmp") {
			moved = append(moved, w)
		}
	}
	if len(moved) == 0 {
		if tmpWritable() {
			// /tmp is writable, so each path fails for its own reason,
			// which its own finding names.
			return
		}
		wc.report.add(Finding{
			Check:    "write.fix-all",
			Severity: Error,
			Subject:  fmt.Sprintf("%d temp and cache paths", len(wc.failed)),
			Message:  "all of these paths are under /tmp, which is not writable; one writable /tmp fixes all of them",
			Fix:      "mount a writable /tmp: " + writableTmp,
		})
		return
	}

	var b strings.Builder
	b.WriteString("http {\n")
	for _, w := range moved {
		args := append([]string{"/tmp/nginx/" + filepath.Base(w.Path)}, w.Levels...)
		if w.Kind == nginxconf.WriteCacheDir {
			fmt.Fprintf(&b, "    # %s (%s): move the cache path under /tmp too\n", w.Directive, w.Source)
			continue
		}
		fmt.Fprintf(&b, "    %s %s;\n", w.Directive, strings.Join(args, " "))
	}
	b.WriteString("}\nwith a writable /tmp: " + writableTmp)
	wc.report.add(Finding{
		Check:    "write.fix-all",
		Severity: Error,
		Subject:  fmt.Sprintf("%d temp and cache paths", len(wc.failed)),
		Message:  "none of these paths is writable; one change fixes all of them",
		Fix:      b.String(),
	})
}

// tmpWritable reports whether the runtime user may create files in /tmp.
func tmpWritable() bool {
	return unix.Faccessat(unix.AT_FDCWD, "/tmp", unix.W_OK|unix.X_OK, unix.AT_EACCESS) == nil
}

// subject names a written path and where it comes from.
func subject(w nginxconf.Write) string {
	return fmt.Sprintf("%s %s (%s, %s)", w.Kind, w.Path, w.Directive, w.Source)
}

// levels converts a directive's level widths, such as ["1", "2"].
func levels(text []string) []int {
	var out []int
	for _, l := range text {
		if n, err := strconv.Atoi(l); err == nil {
			out = append(out, n)
		}
	}
	return out
}

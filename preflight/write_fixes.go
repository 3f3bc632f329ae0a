package preflight

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nginit/nginit/fsprep"
	"github.com/nginit/nginit/nginxconf"
	"golang.org/x/sys/unix"
)

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

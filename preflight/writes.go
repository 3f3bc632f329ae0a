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

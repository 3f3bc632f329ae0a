package preflight

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginit/nginit/fsprep"
	"github.com/nginit/nginit/nginxconf"
	"golang.org/x/sys/unix"
)

type reportedFinding = struct{ Check, Severity, Subject, Message, Fix string }

// reportAsRuntimeUser writes conf, with FIXTURE replaced by dir, as
// dir/nginx.conf and returns the findings of Run as the runtime user with
// Debian's build.
func reportAsRuntimeUser(t *testing.T, dir, conf string) []reportedFinding {
	t.Helper()
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(strings.ReplaceAll(conf, "FIXTURE", dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	var got struct{ Findings []reportedFinding }
	runAsRuntimeUser(t, "report", &got, confPath)
	return got.Findings
}

func init() {
	// report runs every check on the configuration args[0] with Debian's
	// build, as the runtime user, with the parse errors, as a start does.
	childFuncs["report"] = func(args []string) (any, error) {
		bi, err := nginxconf.ParseBuildInfo(strings.NewReader(debianBuild))
		if err != nil {
			return nil, err
		}
		cmd, err := nginxconf.ParseCommandLine([]string{"nginx", "-c", args[0]})
		if err != nil {
			return nil, err
		}
		cfg, cfgErr := nginxconf.ParseFile(args[0], filepath.Dir(args[0]))
		if cfg == nil {
			return nil, cfgErr
		}
		return Run(Input{
			Process:               Process{UID: runtimeUID, GID: runtimeGID, IsPID1: true, NoNewPrivs: true},
			Plan:                  nginxconf.Analyze(cfg, cmd, bi),
			ConfigErr:             cfgErr,
			Tmpfs:                 TmpfsOff,
			UnprivilegedPortStart: 1024,
		}), nil
	}
}

// findingFor returns the finding of check whose subject contains path.
func findingFor(findings []reportedFinding, check, path string) (reportedFinding, bool) {
	for _, f := range findings {
		if f.Check == check && strings.Contains(f.Subject, path+" ") {
			return f, true
		}
	}
	return reportedFinding{}, false
}

// mkdirs creates each directory below dir with its mode, owned by root.
func mkdirs(t *testing.T, dir string, modes map[string]os.FileMode) {
	t.Helper()
	for name, mode := range modes {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(path, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWorldWritableTempPaths(t *testing.T) {
	dir := fixtureDir(t)
	mkdirs(t, dir, map[string]os.FileMode{
		"open_temp": 0o777,
		"open":      0o777,
		"sticky":    os.ModeSticky | 0o777,
	})
	findings := reportAsRuntimeUser(t, dir, `events {}
http {
    access_log off;
    client_body_temp_path FIXTURE/open_temp;
    proxy_temp_path FIXTURE/open/proxy_temp;
    proxy_cache_path FIXTURE/open/cache keys_zone=c:1m;
    fastcgi_temp_path FIXTURE/sticky/fastcgi_temp;
    uwsgi_temp_path FIXTURE/sticky/uwsgi_temp;
    scgi_temp_path FIXTURE/sticky/scgi_temp;
}
`)

	for _, path := range []string{"open_temp", "open/proxy_temp", "open/cache"} {
		f, ok := findingFor(findings, "write.world-writable", filepath.Join(dir, path))
		if !ok {
			t.Errorf("no write.world-writable finding for %s; findings: %+v", path, findings)
			continue
		}
		if f.Severity != "error" || f.Fix == "" {
			t.Errorf("write.world-writable for %s = %s with fix %q, want an error with a fix", path, f.Severity, f.Fix)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "open/proxy_temp")); err == nil {
		t.Errorf("%s/open/proxy_temp was created inside a world-writable directory without the sticky bit", dir)
	}
	for _, path := range []string{"sticky/fastcgi_temp", "sticky/uwsgi_temp", "sticky/scgi_temp"} {
		if f, ok := findingFor(findings, "write.world-writable", filepath.Join(dir, path)); ok {
			t.Errorf("write.world-writable for %s below a sticky 1777 directory: %+v", path, f)
		}
		if _, ok := findingFor(findings, "write.created", filepath.Join(dir, path)); !ok {
			t.Errorf("no write.created finding for %s below a sticky 1777 directory", path)
		}
	}
}

func TestMountTarget(t *testing.T) {
	wc := &writeCheck{staticRoots: []string{"/usr/share/nginx/html", "/srv/www/site"}}
	tests := []struct {
		path   string
		want   string
		wantOK bool
	}{
		{path: "/run/nginx.pid", want: "/run", wantOK: true},
		{path: "/var/run/nginx.pid", want: "/var/run", wantOK: true},
		{path: "/var/cache/nginx/client_temp", want: "/var/cache/nginx", wantOK: true},
		{path: "/var/lib/nginx/body", want: "/var/lib/nginx", wantOK: true},
		{path: "/var/log/nginx/error.log", want: "/var/log/nginx", wantOK: true},
		{path: "/tmp/nginx/client_temp", want: "/tmp", wantOK: true},
		{path: "/data/nginx/proxy_temp", want: "/data/nginx", wantOK: true},
		{path: "/usr/share/nginx/x.pid"}, // holds the web root
		{path: "/usr/share/x.pid"},       // a shared image directory
		{path: "/etc/nginx.pid"},         // a shared image directory
		{path: "/nginx.pid"},             // the root directory
		{path: "/srv/www/proxy_temp"},    // holds a static root
		{path: "/opt/app/logs/access.log", want: "/opt/app/logs", wantOK: true},
	}
	for _, tt := range tests {
		got, ok := wc.mountTarget(tt.path)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("mountTarget(%s) = %q, %t, want %q, %t", tt.path, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestFailNeverMountsOverSharedDir(t *testing.T) {
	wc := &writeCheck{report: &Report{}, staticRoots: []string{"/usr/share/nginx/html"}}
	for _, err := range []error{
		&os.PathError{Op: "open", Path: "/usr/share/nginx/x.pid", Err: unix.EROFS},
		&os.PathError{Op: "open", Path: "/usr/share/nginx/x.pid", Err: unix.EACCES},
	} {
		wc.report.Findings = nil
		wc.fail(nginxconf.Write{Kind: nginxconf.WritePIDFile, Path: "/usr/share/nginx/x.pid", Directive: "pid", Source: "nginx.conf:1"}, err)
		f := wc.report.Findings[0]
		if strings.Contains(f.Fix, "tmpfs") || strings.Contains(f.Fix, "emptyDir") || strings.Contains(f.Fix, "chgrp") {
			t.Errorf("fix for %v = %q, want no mount over or change of /usr/share", err, f.Fix)
		}
		if !strings.Contains(f.Fix, "pid /tmp/nginx.pid;") {
			t.Errorf("fix for %v = %q, want a pid under /tmp", err, f.Fix)
		}
	}

	wc.report.Findings = nil
	w := nginxconf.Write{Kind: nginxconf.WriteTempDir, Path: "/usr/share/nginx/client_temp", Directive: "client_body_temp_path", Source: "nginx.conf:2"}
	wc.fail(w, &os.PathError{Op: "mkdir", Path: w.Path, Err: unix.EROFS})
	if f := wc.report.Findings[0]; !strings.Contains(f.Fix, "client_body_temp_path /tmp/nginx/client_temp;") || strings.Contains(f.Fix, "--tmpfs") {
		t.Errorf("fix for a temp dir beside the web root = %q, want it moved under /tmp", f.Fix)
	}
}

func TestFixAllSkippedWhenTmpWritable(t *testing.T) {
	wc := &writeCheck{report: &Report{}, failed: []nginxconf.Write{
		{Kind: nginxconf.WriteTempDir, Path: "/tmp/a_temp", Directive: "proxy_temp_path"},
		{Kind: nginxconf.WriteTempDir, Path: "/tmp/b_temp", Directive: "scgi_temp_path"},
	}}
	if !tmpWritable() {
		t.Skip("/tmp is not writable here")
	}
	wc.fixAll()
	if len(wc.report.Findings) != 0 {
		t.Errorf("fixAll for paths already under a writable /tmp = %+v, want nothing", wc.report.Findings)
	}
}

func init() {
	childFuncs["mountOf"] = func(args []string) (any, error) {
		m, ok := mountOf(args[0])
		if !ok {
			return "", nil
		}
		return m.String(), nil
	}
}

func TestMountOfBelowUnsearchableDir(t *testing.T) {
	dir := fixtureDir(t)
	mkdirs(t, dir, map[string]os.FileMode{"private": 0o700})
	var got string
	runAsRuntimeUser(t, "mountOf", &got, filepath.Join(dir, "private", "client_temp"))
	if got == "" {
		t.Errorf("mountOf below a root-owned 0700 directory = %q, want the mount of its nearest reachable ancestor", got)
	}
}

func TestWithMountSaysNothingTwice(t *testing.T) {
	mount := &fsprep.MountInfo{FSType: "tmpfs", HasEntry: true, Entry: fsprep.MountEntry{MountPoint: "/run"},
		RootOwner: 0, RootGroup: 0, RootMode: os.ModeDir | 0o755}
	tests := []struct {
		name      string
		err       error
		withOwner bool
		want      string
	}{
		{
			name: "owner already in the error",
			err: &fsprep.Error{Op: "probe dir", Path: "/run", Reason: "not writable by uid 101 gid 101 (owner uid 0 gid 0, mode 0755 drwxr-xr-x)",
				Err: unix.EACCES, Mount: mount},
			withOwner: true,
			want:      "probe dir /run: not writable by uid 101 gid 101 (owner uid 0 gid 0, mode 0755 drwxr-xr-x): permission denied; the path is on tmpfs on /run (rw)",
		},
		{
			name:      "owner of another directory",
			err:       &fsprep.Error{Op: "probe dir", Path: "/run/x", Reason: "not writable by uid 101 gid 101 (owner uid 5 gid 5, mode 0700 drwx------)", Err: unix.EACCES, Mount: mount},
			withOwner: true,
			want:      "probe dir /run/x: not writable by uid 101 gid 101 (owner uid 5 gid 5, mode 0700 drwx------): permission denied; the path is on tmpfs on /run (rw), mount root owner uid 0 gid 0, mode 0755 drwxr-xr-x",
		},
		{
			name: "mount already in the error",
			err:  &fsprep.Error{Op: "probe dir", Path: "/run", Reason: "read-only filesystem " + mount.String(), Err: unix.EROFS, Mount: mount},
			want: "probe dir /run: read-only filesystem tmpfs on /run (rw), mount root owner uid 0 gid 0, mode 0755 drwxr-xr-x: read-only file system",
		},
		{
			name: "read-only without owner",
			err:  &fsprep.Error{Op: "prepare dir", Path: "/run/x", Reason: "read-only filesystem at /run", Err: unix.EROFS, Mount: mount},
			want: "prepare dir /run/x: read-only filesystem at /run: read-only file system; the path is on tmpfs on /run (rw)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withMount(tt.err, "/run/x", tt.withOwner); got != tt.want {
				t.Errorf("withMount =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func TestNotTmpfsNamesNoOwner(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if m, err := fsprep.MountOf(wd); err != nil || m.FSType == "tmpfs" || m.FSType == "ramfs" {
		t.Skipf("%s is on tmpfs or has no mount: %v", wd, err)
	}
	wc := &writeCheck{report: &Report{}, tmpfs: TmpfsWarn}
	wc.onTmpfs(wd, "temp dir "+wd)
	if len(wc.report.Findings) != 1 {
		t.Fatalf("onTmpfs(%s) = %+v, want one write.not-tmpfs", wd, wc.report.Findings)
	}
	if msg := wc.report.Findings[0].Message; strings.Contains(msg, "owner") {
		t.Errorf("write.not-tmpfs message = %q, want no owner, which reads like the path's", msg)
	}
}

func TestLogLinkedToForeignStdout(t *testing.T) {
	dir := fixtureDir(t)
	if err := os.Symlink("/dev/stdout", filepath.Join(dir, "access.log")); err != nil {
		t.Fatal(err)
	}
	// The child's standard output is a pipe that root, the test, created
	// with mode 0600, like a pipe a host shell gives another user.
	findings := reportAsRuntimeUser(t, dir, `events {}
pid FIXTURE/nginx.pid;
error_log stderr;
http {
    access_log FIXTURE/access.log;
    client_body_temp_path FIXTURE/t/cb; proxy_temp_path FIXTURE/t/p; fastcgi_temp_path FIXTURE/t/f;
    uwsgi_temp_path FIXTURE/t/u; scgi_temp_path FIXTURE/t/s;
    server { listen 8080; root FIXTURE; }
}
`)
	var found *reportedFinding
	for i, f := range findings {
		if strings.Contains(f.Subject, "access.log") {
			found = &findings[i]
		}
	}
	if found == nil {
		t.Fatalf("no finding for access.log linked to /dev/stdout: %+v", findings)
	}
	if !strings.Contains(found.Message, "link to /dev/stdout") || !strings.Contains(found.Message, "belongs to another uid") {
		t.Errorf("message = %q, want the link and the stream's owner", found.Message)
	}
	if strings.Contains(found.Fix, "tmpfs") || strings.Contains(found.Fix, "chgrp") {
		t.Errorf("fix = %q, want no tmpfs or chgrp, which cannot change a pipe's owner", found.Fix)
	}
}

func TestOpenShiftFixNamesDirectory(t *testing.T) {
	dir := t.TempDir()
	pid := filepath.Join(dir, "run", "nginx.pid")
	if err := os.MkdirAll(filepath.Dir(pid), 0o755); err != nil {
		t.Fatal(err)
	}
	// A stale pid file exists, and a log file does not.
	if err := os.WriteFile(pid, []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wc := &writeCheck{}
	tests := []struct {
		write nginxconf.Write
		want  string
	}{
		{nginxconf.Write{Kind: nginxconf.WritePIDFile, Path: pid, Directive: "pid"}, filepath.Join(dir, "run")},
		{nginxconf.Write{Kind: nginxconf.WriteErrorLog, Path: filepath.Join(dir, "log", "nginx", "error.log"), Directive: "error_log"}, dir},
	}
	for _, tt := range tests {
		fix := wc.permissionFix(tt.write)
		want := fmt.Sprintf("RUN chgrp -R 0 %[1]s && chmod -R g=u %[1]s", tt.want)
		if !strings.Contains(fix, want) {
			t.Errorf("permissionFix(%s) = %q, want it to contain %q", tt.write.Path, fix, want)
		}
	}
}

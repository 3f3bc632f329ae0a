package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nginit/nginit/internal/containertest"
)

func TestPidInjectedAsUID10001(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// Debian's compile-time pid path is /run/nginx.pid on the read-only root.
	opts := caseOptions(t, siteConf("", tempPathsConf, ""))
	opts.UID = containertest.Uint32(10001)
	opts.GID = containertest.Uint32(10001)
	c, state := startNginit(t, opts)
	assertServes(t, c, "/", filepath.Join(exampleSite(t), "index.html"))

	// The nginx master rewrites its argv into its process title, which
	// keeps the command line after "master process " with spaces between
	// the arguments.
	title := strings.Join(procCmdline(t, childOf(t, c, state.Pid)), " ")
	command, ok := strings.CutPrefix(title, "nginx: master process ")
	if !ok {
		t.Fatalf("title of nginit's child = %q, want an nginx master", title)
	}
	if n := strings.Count(command, " -g "); n != 1 {
		t.Errorf("nginx command line %q has %d -g arguments, want one", command, n)
	}
	_, params, _ := strings.Cut(command, " -g ")
	if !strings.HasPrefix(params, "daemon off; ") {
		t.Errorf("nginx -g %q does not keep the image's daemon off; first", params)
	}
	if !strings.Contains(params, "pid /tmp/nginit/nginx.pid;") {
		t.Errorf("nginx -g %q lacks pid /tmp/nginit/nginx.pid;", params)
	}
}

func TestPidDirectiveOnReadOnlyRoot(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	status, out := runToExit(t, caseOptions(t, siteConf("pid /run/nginx.pid;", tempPathsConf, "")))
	assertRefused(t, status, out,
		"pid file /run/nginx.pid (pid, /etc/nginx/nginx.conf:1)",
		"read-only file system",
		"remove the pid directive",
		"docker run --tmpfs /run")
}

func TestTempPathsOneReport(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// The compile-time temp paths under /var/lib/nginx are on the read-only
	// root (EROFS). The proxy temp path is on a tmpfs that takes the mode of
	// the image's root-owned 0755 /var/cache, so uid 101 gets EACCES there.
	opts := caseOptions(t, siteConf("", "    proxy_temp_path /var/cache/nginx/proxy;\n", ""),
		containertest.File{Path: "/var/cache", Dir: true, Mode: 0o755})
	opts.Tmpfs = []containertest.Tmpfs{{Path: "/var/cache"}}
	status, out := runToExit(t, opts)
	assertRefused(t, status, out,
		"temp dir /var/lib/nginx/body (client_body_temp_path, compile-time default",
		"temp dir /var/lib/nginx/fastcgi",
		"temp dir /var/lib/nginx/uwsgi",
		"temp dir /var/lib/nginx/scgi",
		"temp dir /var/cache/nginx/proxy (proxy_temp_path, /etc/nginx/nginx.conf:",
		"client_body_temp_path /tmp/nginx/body;",
		"proxy_temp_path /tmp/nginx/proxy;",
		"scgi_temp_path /tmp/nginx/scgi;")

	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(line, "error: temp dir /var/lib/nginx/"):
			if !strings.Contains(line, "read-only file system") || strings.Contains(line, "permission denied") {
				t.Errorf("finding on the read-only root does not say EROFS alone: %s", line)
			}
		case strings.Contains(line, "error: temp dir /var/cache/nginx/proxy"):
			if !strings.Contains(line, "permission denied") || strings.Contains(line, "read-only") {
				t.Errorf("finding on the root-owned tmpfs does not say EACCES alone: %s", line)
			}
		}
	}
	if n := strings.Count(out, "check: write.fix-all"); n != 1 {
		t.Errorf("report has %d write.fix-all snippets, want one", n)
	}
}

// openShiftUID is an arbitrary uid as OpenShift assigns it, with gid 0 and
// no entry in /etc/passwd.
const openShiftUID = 1000680000

func TestOpenShiftUIDImageDirs(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// The image prepared its directories for uid 101 only; the root is
	// writable, as it often is on OpenShift, so only the modes stand in the
	// way.
	conf := siteConf("", `
    client_body_temp_path /var/cache/nginx/client_temp;
    proxy_temp_path       /var/cache/nginx/proxy_temp;
    fastcgi_temp_path     /tmp/nginx/fastcgi_temp;
    uwsgi_temp_path       /tmp/nginx/uwsgi_temp;
    scgi_temp_path        /tmp/nginx/scgi_temp;
`, "")
	opts := caseOptions(t, conf,
		containertest.File{Path: "/var/cache/nginx", Dir: true, Mode: 0o755, UID: 101, GID: 101},
		containertest.File{Path: "/var/cache/nginx/proxy_temp", Dir: true, Mode: 0o755, UID: 101, GID: 101})
	opts.WritableRoot = true
	opts.UID = containertest.Uint32(openShiftUID)
	opts.GID = containertest.Uint32(0)
	status, out := runToExit(t, opts)
	assertRefused(t, status, out,
		"temp dir /var/cache/nginx/client_temp",
		"temp dir /var/cache/nginx/proxy_temp",
		"as uid 1000680000 gid 0",
		"permission denied",
		"chgrp -R 0",
		"chmod -R g=u")
}

func TestOpenShiftUIDServesSite(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// nginit prepares /tmp/nginx and its temp paths for whatever uid it has.
	opts := caseOptions(t, siteConf("", tempPathsConf, ""))
	opts.UID = containertest.Uint32(openShiftUID)
	opts.GID = containertest.Uint32(0)
	c, _ := startNginit(t, opts)
	assertServes(t, c, "/", filepath.Join(exampleSite(t), "index.html"))
	assertServes(t, c, "/assets/about.html", filepath.Join(exampleSite(t), "assets", "about.html"))
}

// uploadConf proxies /upload to a second server on a unix socket, so nginx
// must buffer the whole request body first, and spills a body larger than
// client_body_buffer_size into client_body_temp_path.
const uploadConf = `error_log stderr notice;
events {}
http {
    access_log off;
    client_body_temp_path /tmp/client_temp;
    client_body_buffer_size 8k;
    client_max_body_size 1m;
    proxy_temp_path   /tmp/nginx/proxy_temp;
    fastcgi_temp_path /tmp/nginx/fastcgi_temp;
    uwsgi_temp_path   /tmp/nginx/uwsgi_temp;
    scgi_temp_path    /tmp/nginx/scgi_temp;
    server {
        listen 8080;
        location /upload { proxy_pass http://unix:/tmp/sink.sock:/; }
    }
    server {
        listen unix:/tmp/sink.sock;
        location / { return 200 "stored\n"; }
    }
}
`

// rootOnlyTempTmpfs is /tmp/client_temp as an existing directory owned by
// root with mode 0700, on a writable tmpfs.
var rootOnlyTempTmpfs = containertest.Tmpfs{Path: "/tmp/client_temp", Options: []string{"mode=0700"}}

func TestRootOwnedClientTempDirect(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// Without nginit, nginx starts and serves small requests; the first
	// body larger than client_body_buffer_size fails.
	opts := caseOptions(t, uploadConf)
	opts.Nginit = ""
	opts.Tmpfs = []containertest.Tmpfs{rootOnlyTempTmpfs, containertest.ExampleTempTmpfs()}
	c := containertest.Run(t, opts)
	if err := c.WaitHTTP(startTimeout); err != nil {
		t.Fatal(err)
	}

	if status := post(t, c, "/upload", 1024); status != 200 {
		t.Errorf("POST 1 KiB to nginx started directly = %d, want 200", status)
	}
	if status := post(t, c, "/upload", 64<<10); status != 500 {
		t.Errorf("POST 64 KiB to nginx started directly = %d, want 500 from the unwritable client_temp", status)
	}
	waitOutput(t, c, `/tmp/client_temp/0000000001" failed (13: Permission denied)`)
}

func TestRootOwnedClientTempCaught(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := caseOptions(t, uploadConf)
	opts.Tmpfs = []containertest.Tmpfs{rootOnlyTempTmpfs}
	status, out := runToExit(t, opts)
	assertRefused(t, status, out,
		"temp dir /tmp/client_temp (client_body_temp_path, /etc/nginx/nginx.conf:5)",
		"permission denied")
}

// post sends a POST of size bytes to path and returns the status code.
func post(t *testing.T, c *containertest.Container, path string, size int) int {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	resp, err := client.Post(c.URL(path), "application/octet-stream", bytes.NewReader(make([]byte, size)))
	if err != nil {
		t.Fatalf("POST %d bytes to %s: %v", size, path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRunTmpfsFromImageMode(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// A tmpfs without a mode option takes the image's root-owned 0755 /run.
	opts := caseOptions(t, siteConf("pid /run/nginx.pid;", tempPathsConf, ""))
	opts.Tmpfs = []containertest.Tmpfs{{Path: "/run"}}
	status, out := runToExit(t, opts)
	assertRefused(t, status, out,
		"pid file /run/nginx.pid (pid, /etc/nginx/nginx.conf:1)",
		"tmpfs on /run",
		"owner uid 0 gid 0, mode 0755",
		"tmpfs-mode=1777")
}

func TestRuntimeDirSymlinkRejected(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// /tmp is the image's own sticky directory on a writable root, where
	// uid 102 planted /tmp/nginit pointing at a directory it owns.
	opts := caseOptions(t, siteConf("", tempPathsConf, ""),
		containertest.File{Path: "/var/victim", Dir: true, Mode: 0o777, UID: 102, GID: 102})
	opts.WritableRoot = true
	opts.NoTmp = true
	c := containertest.New(t, opts)
	rootfs := filepath.Join(c.Bundle, "rootfs")
	link := filepath.Join(rootfs, "tmp", "nginit")
	if err := os.Symlink("/var/victim", link); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(link, 102, 102); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	status, err := c.Wait(stopTimeout)
	if err != nil {
		t.Fatal(err)
	}

	assertRefused(t, status, c.Output(), "/tmp/nginit", "symbolic link", "NGINIT_RUNTIME_DIR")
	entries, err := os.ReadDir(filepath.Join(rootfs, "var", "victim"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("nginit wrote %d entries through the planted link into /var/victim: %v", len(entries), entries)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("planted link /tmp/nginit was replaced or removed: %v %v", fi, err)
	}
}

// waitOutput waits up to two seconds for want in the container's output,
// which arrives through a pipe after the response.
func waitOutput(t *testing.T, c *containertest.Container, want string) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(c.Output(), want) {
			return
		}
	}
	t.Errorf("container output lacks %q", want)
}

// childOf returns the host pid of the container process whose parent is
// the host pid parent.
func childOf(t *testing.T, c *containertest.Container, parent int) int {
	t.Helper()
	pids, err := c.Processes()
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		ppid := procStatusField(t, pid, "PPid")
		if len(ppid) == 1 && ppid[0] == strconv.Itoa(parent) {
			return pid
		}
	}
	t.Fatalf("no child of host pid %d among the container's processes %v", parent, pids)
	return 0
}

// procCmdline returns the argument vector of the host pid.
func procCmdline(t *testing.T, pid int) []string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}

func TestFixAllUnderReadOnlyTmp(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// Every temp path is under /tmp already, but /tmp is the read-only
	// root's own directory, so moving them to /tmp/nginx fixes nothing.
	opts := caseOptions(t, siteConf("", tempPathsConf, ""))
	opts.NoTmp = true
	// runc gives a tmpfs over an image directory that directory's mode,
	// so the runtime directory goes on a tmpfs at a new path.
	opts.Tmpfs = []containertest.Tmpfs{{Path: "/scratch", Options: []string{"mode=1777"}}}
	opts.Env = []string{"NGINIT_RUNTIME_DIR=/scratch/nginit"}
	status, out := runToExit(t, opts)
	assertRefused(t, status, out,
		"temp dir /tmp/nginx/client_temp",
		"check: write.fix-all",
		"mount a writable /tmp: docker run --read-only --tmpfs /tmp")
	if contains(out, "client_body_temp_path /tmp/nginx/client_temp;") {
		t.Errorf("write.fix-all suggests moving /tmp/nginx/client_temp to where it already is")
	}
}

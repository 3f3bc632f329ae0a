package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nginit/nginit/internal/containertest"
)

// exitPreflight is nginit's exit status when the preflight found an error.
const exitPreflight = 78

// caseOptions runs nginit with conf as /etc/nginx/nginx.conf and the
// example site, as uid 101 on a read-only root with a tmpfs at /tmp. A conf
// without containertest.ListenPlaceholder is used as it is.
func caseOptions(t *testing.T, conf string, files ...containertest.File) containertest.Options {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := containertest.Options{
		NginxConf: path,
		Site:      exampleSite(t),
		Nginit:    builtNginit(t),
		Files:     files,
	}
	if !strings.Contains(conf, containertest.ListenPlaceholder) {
		opts.Port = -1
	}
	return opts
}

// runToExit runs a container that is expected to exit on its own, and
// returns its exit status and output.
func runToExit(t *testing.T, opts containertest.Options) (int, string) {
	t.Helper()
	c := containertest.Run(t, opts)
	status, err := c.Wait(stopTimeout)
	if err != nil {
		t.Fatal(err)
	}
	return status, c.Output()
}

// assertRefused checks that nginit exited with exitPreflight before it
// started nginx, and that its output contains each of want.
func assertRefused(t *testing.T, status int, output string, want ...string) {
	t.Helper()
	if status != exitPreflight {
		t.Errorf("nginit exit status = %d, want %d (preflight failed)", status, exitPreflight)
	}
	if strings.Contains(output, "nginit: starting ") || strings.Contains(output, "[emerg]") {
		t.Errorf("nginx was started although the preflight failed")
	}
	for _, w := range want {
		if !strings.Contains(output, w) {
			t.Errorf("nginit output lacks %q", w)
		}
	}
}

// tempPathsConf sets every temp path under /tmp/nginx, which nginit
// prepares on the /tmp tmpfs, so a test changes only what it is about.
const tempPathsConf = `
    client_body_temp_path /tmp/nginx/client_temp;
    proxy_temp_path       /tmp/nginx/proxy_temp;
    fastcgi_temp_path     /tmp/nginx/fastcgi_temp;
    uwsgi_temp_path       /tmp/nginx/uwsgi_temp;
    scgi_temp_path        /tmp/nginx/scgi_temp;
`

// siteConf returns a configuration that serves the example site on the
// test's port, with server added inside the server block and http inside
// the http block.
func siteConf(main, http, server string) string {
	return main + `
error_log stderr notice;
events {}
http {
    include /etc/nginx/mime.types;
    access_log off;
` + http + `
    server {
        listen 8080;
        root /usr/share/nginx/html;
` + server + `
    }
}
`
}

// contains reports whether output contains want.
func contains(output, want string) bool { return strings.Contains(output, want) }

// owner formats the uid and gid of fi.
func owner(fi os.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "?"
	}
	return fmt.Sprintf("%d:%d", st.Uid, st.Gid)
}

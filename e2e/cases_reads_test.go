package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nginit/nginit/internal/containertest"
)

func TestWebRootOffendersNamed(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// /srv is an ancestor of the alias that uid 101 cannot search.
	conf := siteConf("", tempPathsConf, "        location /other/ { alias /srv/www/; }\n")
	opts := caseOptions(t, conf,
		containertest.File{Path: "/usr/share/nginx/html/secret.html", Data: []byte("secret"), Mode: 0o600},
		containertest.File{Path: "/usr/share/nginx/html/private", Dir: true, Mode: 0o700},
		containertest.File{Path: "/usr/share/nginx/html/private/page.html", Data: []byte("page"), Mode: 0o644},
		containertest.File{Path: "/srv/www", Dir: true, Mode: 0o755},
		containertest.File{Path: "/srv", Dir: true, Mode: 0o700},
	)
	c := containertest.New(t, opts)
	rootfs := filepath.Join(c.Bundle, "rootfs")
	paths := []string{"usr/share/nginx/html/secret.html", "usr/share/nginx/html/private", "srv"}
	before := modes(t, rootfs, paths)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	status, err := c.Wait(stopTimeout)
	if err != nil {
		t.Fatal(err)
	}

	assertRefused(t, status, c.Output(),
		"/usr/share/nginx/html/secret.html (owner uid 0 gid 0, mode 0600",
		"/usr/share/nginx/html/private (owner uid 0 gid 0, mode 0700",
		"/srv (owner uid 0 gid 0, mode 0700")
	after := modes(t, rootfs, paths)
	for _, p := range paths {
		if before[p] != after[p] {
			t.Errorf("mode of /%s changed from %v to %v; nginit must never chmod", p, before[p], after[p])
		}
	}
}

// modes returns the modes of paths below rootfs.
func modes(t *testing.T, rootfs string, paths []string) map[string]os.FileMode {
	t.Helper()
	m := map[string]os.FileMode{}
	for _, p := range paths {
		fi, err := os.Lstat(filepath.Join(rootfs, p))
		if err != nil {
			t.Fatal(err)
		}
		m[p] = fi.Mode()
	}
	return m
}

func TestVolumeOverWebRoot(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// A missing index is a warning, because try_files or autoindex may
	// serve /, so nginit check passes and prints it.
	opts := caseOptions(t, siteConf("", tempPathsConf, ""))
	opts.Tmpfs = []containertest.Tmpfs{{Path: "/usr/share/nginx/html"}}
	opts.Args = []string{"/nginit", "check"}
	status, out := runToExit(t, opts)
	if status != 0 {
		t.Errorf("nginit check exit status = %d, want 0 for warnings", status)
	}
	for _, want := range []string{
		"none of index.html exists in the root",
		"check: static.missing-index",
		"the root is the mount point of tmpfs on /usr/share/nginx/html",
	} {
		if !contains(out, want) {
			t.Errorf("nginit check output lacks %q", want)
		}
	}
}

func TestTLSKeyRootOnly(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	http := "    ssl_certificate /etc/nginx/tls/tls.crt;\n    ssl_certificate_key /etc/nginx/tls/tls.key;\n" + tempPathsConf
	opts := caseOptions(t, siteConf("", http, ""),
		containertest.File{Path: "/etc/nginx/tls", Dir: true, Mode: 0o755},
		containertest.File{Path: "/etc/nginx/tls/tls.crt", Data: []byte("certificate"), Mode: 0o644},
		containertest.File{Path: "/etc/nginx/tls/tls.key", Data: []byte("key"), Mode: 0o400},
	)
	status, out := runToExit(t, opts)
	assertRefused(t, status, out,
		"/etc/nginx/tls/tls.key (ssl_certificate_key",
		"not readable by uid 101 gid 101 (owner uid 0 gid 0, mode 0400",
		"fsGroup: 101",
		"0440")
	if contains(out, "tls.crt (ssl_certificate") {
		t.Errorf("the readable certificate is reported")
	}
}

func TestConfigMapHidesIncludes(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// The image has both files; the tmpfs plays a ConfigMap mounted
	// over their directory.
	http := "    include /etc/nginx/extra/proxy_params;\n    include /etc/nginx/extra/gzip.conf;\n" + tempPathsConf
	opts := caseOptions(t, siteConf("", http, ""),
		containertest.File{Path: "/etc/nginx/extra", Dir: true, Mode: 0o755},
		containertest.File{Path: "/etc/nginx/extra/proxy_params", Data: []byte("proxy_http_version 1.1;\n"), Mode: 0o644},
		containertest.File{Path: "/etc/nginx/extra/gzip.conf", Data: []byte("gzip on;\n"), Mode: 0o644},
	)
	opts.Tmpfs = []containertest.Tmpfs{{Path: "/etc/nginx/extra"}}
	status, out := runToExit(t, opts)
	assertRefused(t, status, out,
		"include /etc/nginx/extra/proxy_params (/etc/nginx/nginx.conf:",
		"include /etc/nginx/extra/gzip.conf (/etc/nginx/nginx.conf:",
		"/etc/nginx/extra is a mount point (tmpfs on /etc/nginx/extra",
		"subPath")
}

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nginit/nginit/internal/containertest"
)

// opsConf is an nginx.conf whose server includes files that the tests
// provide at run time: rendered templates from nginit's runtime directory,
// and files the test writes into the /tmp tmpfs.
const opsConf = `error_log stderr notice;
events {}
http {
    access_log off;
    client_body_temp_path /tmp/nginx/client_temp;
    proxy_temp_path       /tmp/nginx/proxy_temp;
    fastcgi_temp_path     /tmp/nginx/fastcgi_temp;
    uwsgi_temp_path       /tmp/nginx/uwsgi_temp;
    scgi_temp_path        /tmp/nginx/scgi_temp;
    server {
        listen 8080;
        include /tmp/nginit/conf.d/*.conf;
        include /tmp/conf/*.conf;
    }
}
`

// opsOptions runs nginit with opsConf and the given files added to the image.
func opsOptions(t *testing.T, files ...containertest.File) containertest.Options {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "nginx.conf")
	if err := os.WriteFile(conf, []byte(opsConf), 0o644); err != nil {
		t.Fatal(err)
	}
	return containertest.Options{
		NginxConf: conf,
		Site:      exampleSite(t),
		Nginit:    builtNginit(t),
		Tmpfs:     []containertest.Tmpfs{containertest.ExampleTempTmpfs()},
		Files:     files,
	}
}

func assertBody(t *testing.T, c *containertest.Container, path, want string) {
	t.Helper()
	status, body, err := c.Get(path)
	if err != nil {
		t.Fatal(err)
	}
	if status != 200 || string(body) != want {
		t.Errorf("GET %s = %d %q, want 200 %q", path, status, body, want)
	}
}

func TestTemplatesRenderedOnReadOnlyRoot(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := opsOptions(t,
		containertest.File{Path: "/etc/nginx/templates", Dir: true, Mode: 0o755},
		containertest.File{
			Path: "/etc/nginx/templates/hello.conf.template",
			Data: []byte(`location = /hello { return 200 "${GREETING} $uri\n"; }` + "\n"),
			Mode: 0o644,
		})
	opts.Env = []string{"GREETING=hi"}
	c, _ := startNginit(t, opts)

	// GREETING is substituted; nginx's $uri is not an environment variable
	// and reaches nginx untouched.
	assertBody(t, c, "/hello", "hi /hello\n")
}

func TestHealthWithoutShell(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	c, _ := startNginit(t, nginitOptions(t))

	out, err := c.Exec("/nginit", "health", "--url", c.URL("/"))
	if err != nil {
		t.Errorf("nginit health = %v, want success:\n%s", err, out)
	}

	// Nothing listens on port 1 inside the container's loopback.
	out, err = c.Exec("/nginit", "health", "--url", "http://127.0.0.1:1/", "--timeout", "500ms")
	if err == nil {
		t.Errorf("nginit health of a closed port succeeded:\n%s", out)
	}
}

func TestReloadValidAndBroken(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	c, state := startNginit(t, opsOptions(t))

	// The test writes nginx's included files through the container's root
	// as seen from the host, into the /tmp tmpfs.
	confDir := filepath.Join("/proc", strconv.Itoa(state.Pid), "root", "tmp", "conf")
	if err := os.Mkdir(confDir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(confDir, "v.conf"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	write(`location = /v { return 200 "one\n"; }` + "\n")
	if out, err := c.Exec("/nginit", "reload"); err != nil {
		t.Fatalf("nginit reload of a valid change = %v:\n%s", err, out)
	}
	waitBody(t, c, "/v", "one\n")

	write(`location = /v { return 200 "two\n";` + "\n")
	out, err := c.Exec("/nginit", "reload")
	if err == nil {
		t.Errorf("nginit reload of a broken change succeeded:\n%s", out)
	}
	if !strings.Contains(out, "[emerg]") {
		t.Errorf("nginit reload output = %q, want nginx's [emerg] message", out)
	}
	time.Sleep(500 * time.Millisecond)
	assertBody(t, c, "/v", "one\n")
}

// waitBody polls path until it returns want, because nginx applies a reload
// asynchronously.
func waitBody(t *testing.T, c *containertest.Container, path, want string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		status, body, err := c.Get(path)
		last = fmt.Sprintf("%d %q %v", status, body, err)
		if err == nil && status == 200 && string(body) == want {
			return
		}
	}
	t.Errorf("GET %s = %s after 5s, want 200 %q", path, last, want)
}

package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nginit/nginit/internal/containertest"
)

const (
	startTimeout = 10 * time.Second
	stopTimeout  = 10 * time.Second
)

// nginxDirectOptions runs nginx itself as the container's process, with a
// tmpfs at /tmp/nginx for the temp paths of the example configuration.
func nginxDirectOptions(t *testing.T) containertest.Options {
	conf, site := examples(t)
	return containertest.Options{
		NginxConf: conf,
		Site:      site,
		Tmpfs:     []containertest.Tmpfs{containertest.ExampleTempTmpfs()},
	}
}

func TestNginxDirectServesSite(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	c := containertest.Run(t, nginxDirectOptions(t))
	if err := c.WaitHTTP(startTimeout); err != nil {
		t.Fatal(err)
	}

	_, site := examples(t)
	assertServes(t, c, "/", filepath.Join(site, "index.html"))
	assertServes(t, c, "/assets/about.html", filepath.Join(site, "assets", "about.html"))

	if err := c.Kill("QUIT"); err != nil {
		t.Fatal(err)
	}
	status, err := c.Wait(stopTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if status != 0 {
		t.Errorf("nginx exit status after SIGQUIT = %d, want 0", status)
	}
}

// assertServes checks that path is served with status 200 and the content
// of the host file want.
func assertServes(t *testing.T, c *containertest.Container, path, want string) {
	t.Helper()
	wantBody, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	status, body, err := c.Get(path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if status != 200 {
		t.Errorf("GET %s status = %d, want 200", path, status)
	}
	if !bytes.Equal(body, wantBody) {
		t.Errorf("GET %s body = %q, want the content of %s", path, body, want)
	}
}

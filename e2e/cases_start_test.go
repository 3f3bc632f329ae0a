package e2e

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginit/nginit/internal/containertest"
)

func TestPrivilegedPortNoCapability(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := caseOptions(t, replaceListen(siteConf("", tempPathsConf, ""), "listen 127.0.0.1:80;"))
	status, out := runToExit(t, opts)
	assertRefused(t, status, out,
		"port 80 (/etc/nginx/nginx.conf:",
		"below net.ipv4.ip_unprivileged_port_start (1024)",
		"CAP_NET_BIND_SERVICE is not in the effective set",
		"listen 8080;",
		"--sysctl net.ipv4.ip_unprivileged_port_start=0")
	if contains(out, "bounding set only") {
		t.Errorf("output blames the bounding set, which is empty")
	}
}

func TestPrivilegedPortBoundingOnly(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// docker run --cap-add NET_BIND_SERVICE for a non-root user puts the
	// capability in the bounding set, not in the effective one.
	opts := caseOptions(t, replaceListen(siteConf("", tempPathsConf, ""), "listen 127.0.0.1:80;"))
	c := containertest.New(t, opts)
	setCapabilities(t, c.Bundle, map[string][]string{"bounding": {"CAP_NET_BIND_SERVICE"}})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	status, err := c.Wait(stopTimeout)
	if err != nil {
		t.Fatal(err)
	}
	assertRefused(t, status, c.Output(),
		"CAP_NET_BIND_SERVICE is not in the effective set",
		"it is in the bounding set only")
}

// replaceListen replaces the placeholder of the test's port with listen.
func replaceListen(conf, listen string) string {
	return strings.Replace(conf, containertest.ListenPlaceholder, listen, 1)
}

// setCapabilities replaces process.capabilities in the bundle's
// config.json: each set named in sets gets its list, every other set none.
func setCapabilities(t *testing.T, bundle string, sets map[string][]string) {
	t.Helper()
	path := filepath.Join(bundle, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	caps := map[string][]string{}
	for _, name := range []string{"bounding", "effective", "inheritable", "permitted", "ambient"} {
		caps[name] = append([]string{}, sets[name]...)
	}
	spec["process"].(map[string]any)["capabilities"] = caps
	if data, err = json.Marshal(spec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUserDirectiveIsInformation(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := caseOptions(t, siteConf("user www-data;", tempPathsConf, ""))
	opts.Env = []string{"NGINIT_LOG_LEVEL=debug"}
	c, _ := startNginit(t, opts)
	assertServes(t, c, "/", filepath.Join(exampleSite(t), "index.html"))
	waitOutput(t, c, "info: user directive (/etc/nginx/nginx.conf:1)")
	if contains(c.Output(), "error: user directive") || contains(c.Output(), "warning: user directive") {
		t.Errorf("the user directive is reported above information")
	}
}

func TestNothingWrittenToRootfs(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// A writable root, so that a write into /etc/nginx would succeed rather
	// than fail unseen; templates are rendered, which stock entrypoint
	// scripts do in /etc/nginx/conf.d.
	opts := opsOptions(t,
		containertest.File{Path: "/etc/nginx/templates", Dir: true, Mode: 0o755},
		containertest.File{Path: "/etc/nginx/conf.d", Dir: true, Mode: 0o755},
		containertest.File{
			Path: "/etc/nginx/templates/hello.conf.template",
			Data: []byte(`location = /hello { return 200 "${GREETING}\n"; }` + "\n"),
			Mode: 0o644,
		})
	opts.WritableRoot = true
	opts.Env = []string{"GREETING=hi"}
	c := containertest.New(t, opts)
	rootfs := filepath.Join(c.Bundle, "rootfs")
	before := snapshot(t, rootfs)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHTTP(startTimeout); err != nil {
		t.Fatal(err)
	}
	assertBody(t, c, "/hello", "hi\n")
	if err := c.Kill("TERM"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Wait(stopTimeout); err != nil {
		t.Fatal(err)
	}

	after := snapshot(t, rootfs)
	for path, b := range before {
		if a, ok := after[path]; !ok {
			t.Errorf("%s was removed", path)
		} else if a != b {
			t.Errorf("%s changed: %s, was %s", path, a, b)
		}
	}
	for path, a := range after {
		if _, ok := before[path]; !ok {
			t.Errorf("%s was created: %s", path, a)
		}
	}
}

// snapshot returns the type, owner, mode, size and modification time of
// every path below rootfs, apart from the mount points' contents, which
// look empty from the host.
func snapshot(t *testing.T, rootfs string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(rootfs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(rootfs, path)
		m["/"+rel] = fmt.Sprintf("%v %d %d %s", fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), owner(fi))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nginit/nginit/internal/containertest"
)

// TestPrivilegedPortFileCapability runs an image whose nginx has
// cap_net_bind_service=+ep, as many images do to bind port 80 as non-root:
// under nginit, as uid 101 without no-new-privileges, it must serve on a
// port below 1024.
func TestPrivilegedPortFileCapability(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := caseOptions(t, siteConf("", tempPathsConf, ""))
	opts.Port = freePrivilegedPort(t)
	c := containertest.New(t, opts)
	setcapNginx(t, c.Bundle)
	setCapabilities(t, c.Bundle, map[string][]string{"bounding": {"CAP_NET_BIND_SERVICE"}})
	setNoNewPrivileges(t, c.Bundle, false)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHTTP(startTimeout); err != nil {
		t.Fatalf("nginx with cap_net_bind_service=+ep does not serve on port %d: %v", opts.Port, err)
	}

	assertServes(t, c, "/", filepath.Join(exampleSite(t), "index.html"))
	waitOutput(t, c, "has file capabilities (permitted 0x400, effective): started it without no_new_privs")
}

// TestPrivilegedPortFileCapabilityNoNewPrivs is the same image under the
// platform's no_new_privs, which keeps the kernel from granting the file
// capability: the preflight must name no_new_privs as the cause.
func TestPrivilegedPortFileCapabilityNoNewPrivs(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := caseOptions(t, replaceListen(siteConf("", tempPathsConf, ""), "listen 127.0.0.1:80;"))
	c := containertest.New(t, opts)
	setcapNginx(t, c.Bundle)
	setCapabilities(t, c.Bundle, map[string][]string{"bounding": {"CAP_NET_BIND_SERVICE"}})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	status, err := c.Wait(stopTimeout)
	if err != nil {
		t.Fatal(err)
	}
	assertRefused(t, status, c.Output(),
		"nginx's file capability CAP_NET_BIND_SERVICE cannot take effect because the platform set no_new_privs",
		"listen 8080;",
		"drop no-new-privileges")
	if contains(c.Output(), "bounding set only") {
		t.Errorf("output blames the bounding set, although nginx has the file capability")
	}
}

// setcapNginx gives the container's copy of nginx cap_net_bind_service=+ep.
func setcapNginx(t *testing.T, bundle string) {
	t.Helper()
	setcap := lookSetcap(t)
	nginx := filepath.Join(bundle, "rootfs", "usr", "sbin", "nginx")
	if out, err := exec.Command(setcap, "cap_net_bind_service=+ep", nginx).CombinedOutput(); err != nil {
		t.Fatalf("setcap cap_net_bind_service=+ep %s: %v\n%s", nginx, err, out)
	}
}

// setNoNewPrivileges sets process.noNewPrivileges in the bundle's
// config.json.
func setNoNewPrivileges(t *testing.T, bundle string, on bool) {
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
	spec["process"].(map[string]any)["noNewPrivileges"] = on
	if data, err = json.Marshal(spec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// freePrivilegedPort returns 81 when nothing listens on 127.0.0.1:81, else
// the next free port below 1024.
func freePrivilegedPort(t *testing.T) int {
	t.Helper()
	for port := 81; port < 1024; port++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("no free TCP port below 1024 on 127.0.0.1")
	return 0
}

// lookSetcap returns the path of setcap. Without it, the test fails under
// NGINIT_E2E=required and is skipped otherwise, like the other
// prerequisites of the container tests.
func lookSetcap(t *testing.T) string {
	t.Helper()
	setcap, err := exec.LookPath("setcap")
	if err == nil {
		return setcap
	}
	msg := "setcap not found: apt-get install -y libcap2-bin"
	if os.Getenv(requiredEnv) == "required" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (set " + requiredEnv + "=required to fail instead)")
	return ""
}

package e2e

import (
	"path/filepath"
	"testing"
)

func TestDaemonInConfigAndParams(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	// The official image's CMD is nginx -g "daemon off;", which is also the
	// default command of these containers. nginx rejects the second daemon.
	opts := caseOptions(t, siteConf("daemon off;\n", tempPathsConf, ""))
	status, out := runToExit(t, opts)
	assertRefused(t, status, out,
		"config.duplicate",
		"daemon (/etc/nginx/nginx.conf:1 and command line -g)",
		`directive is duplicate`,
		"remove daemon from the configuration")
}

func TestDaemonOnlyInParams(t *testing.T) {
	requirePrerequisites(t)
	t.Parallel()

	opts := caseOptions(t, siteConf("", tempPathsConf, ""))
	opts.Args = []string{"/nginit", "nginx", "-g", "daemon off;"}
	c, _ := startNginit(t, opts)
	assertServes(t, c, "/", filepath.Join(exampleSite(t), "index.html"))
	if contains(c.Output(), "config.duplicate") {
		t.Errorf("config.duplicate reported for daemon set only with -g")
	}
}

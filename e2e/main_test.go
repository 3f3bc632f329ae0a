package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nginit/nginit/internal/containertest"
)

const (
	// requiredEnv turns a missing prerequisite from a skip into a failure
	// when it is "required", as CI sets it.
	requiredEnv = "NGINIT_E2E"

	// binaryEnv names a prebuilt nginit to test, such as a release binary,
	// in place of building ./cmd/nginit.
	binaryEnv = "NGINIT_E2E_BINARY"
)

// missingPrerequisites is what the host lacks, found once in TestMain.
var missingPrerequisites []containertest.Prerequisite

func TestMain(m *testing.M) {
	missingPrerequisites = containertest.CheckPrerequisites()
	code := m.Run()
	if nginitDir != "" {
		os.RemoveAll(nginitDir)
	}
	os.Exit(code)
}

// requirePrerequisites skips t when the host cannot run containers, or
// fails it with what to install when NGINIT_E2E=required.
func requirePrerequisites(t *testing.T) {
	t.Helper()
	if len(missingPrerequisites) == 0 {
		return
	}
	lines := make([]string, len(missingPrerequisites))
	for i, p := range missingPrerequisites {
		lines[i] = p.String()
	}
	msg := "container tests need:\n\t" + strings.Join(lines, "\n\t")
	if os.Getenv(requiredEnv) == "required" {
		t.Fatal(msg)
	}
	t.Skip(msg + "\n(set " + requiredEnv + "=required to fail instead)")
}

// examples returns the paths of the example nginx.conf and site.
func examples(t *testing.T) (conf, site string) {
	t.Helper()
	root, err := containertest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "examples", "nginx.conf"), filepath.Join(root, "examples", "site")
}

// exampleSite returns the path of the example site.
func exampleSite(t *testing.T) string {
	t.Helper()
	_, site := examples(t)
	return site
}

var (
	nginitOnce sync.Once
	nginitDir  string
	nginitPath string
	nginitErr  error
)

// builtNginit builds ./cmd/nginit once per test binary, unless
// NGINIT_E2E_BINARY names one, and returns its path. A failed build fails
// every test that needs nginit.
func builtNginit(t *testing.T) string {
	t.Helper()
	nginitOnce.Do(func() {
		if path := os.Getenv(binaryEnv); path != "" {
			nginitPath = path
			return
		}
		root, err := containertest.ModuleRoot()
		if err != nil {
			nginitErr = err
			return
		}
		nginitDir, err = os.MkdirTemp("", "nginit-e2e-build-")
		if err != nil {
			nginitErr = fmt.Errorf("create build directory: %w", err)
			return
		}
		nginitPath, nginitErr = containertest.BuildNginit(root, nginitDir)
	})
	if nginitErr != nil {
		t.Fatalf("nginit is needed for this test: %v", nginitErr)
	}
	return nginitPath
}

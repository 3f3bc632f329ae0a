package preflight

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStaticFindingsHaveFix(t *testing.T) {
	dir := fixtureDir(t)
	mkdirs(t, dir, map[string]os.FileMode{"site": 0o755, "site/private": 0o700})
	for name, mode := range map[string]os.FileMode{"site/index.html": 0o644, "site/secret.html": 0o600} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), mode); err != nil {
			t.Fatal(err)
		}
	}
	findings := reportAsRuntimeUser(t, dir, `events {}
http {
    access_log off;
    server { listen 8080; root FIXTURE/site; }
}
`)

	seen := map[string]bool{}
	for _, f := range findings {
		if !strings.HasPrefix(f.Check, "static.") || f.Check == "static.summary" {
			continue
		}
		seen[f.Check] = true
		if f.Fix == "" {
			t.Errorf("%s %s has no fix", f.Check, f.Subject)
		}
		if strings.Contains(f.Message, "chmod") {
			t.Errorf("%s message %q contains the fix", f.Check, f.Message)
		}
	}
	for _, check := range []string{"static.unreadable-file", "static.unsearchable-dir"} {
		if !seen[check] {
			t.Errorf("no %s finding; findings: %+v", check, findings)
		}
	}
}

package preflight

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nginit/nginit/fsprep"
)

// checkIDPattern matches a check id as a quoted string in Go source or as
// code in Markdown.
var checkIDPattern = regexp.MustCompile("[\"`]((?:identity|config|listen|mount|write|read|static|templates)\\.[a-z-]+)[\"`]")

// TestChecksDocumented keeps docs/checks.md and the code in step: every check
// id the code can emit is documented, and every documented id exists.
func TestChecksDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "checks.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range checkIDPattern.FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}

	emitted := map[string]bool{}
	var sources []string
	for _, pattern := range []string{"*.go", filepath.Join("..", "cmd", "nginit", "*.go")} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, files...)
	}
	for _, file := range sources {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range checkIDPattern.FindAllStringSubmatch(string(src), -1) {
			emitted[m[1]] = true
		}
	}
	// Static-root findings are named after fsprep's finding kinds.
	for kind := fsprep.FindingKind(1); !strings.HasPrefix(kind.String(), "FindingKind("); kind++ {
		emitted["static."+kind.String()] = true
	}

	for id := range emitted {
		if !documented[id] {
			t.Errorf("check %s is emitted by the code but missing from docs/checks.md", id)
		}
	}
	for id := range documented {
		if !emitted[id] {
			t.Errorf("check %s is in docs/checks.md but the code never emits it", id)
		}
	}
}

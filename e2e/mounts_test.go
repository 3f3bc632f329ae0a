package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckReportsRootFilesystem(t *testing.T) {
	requirePrerequisites(t)
	tests := []struct {
		name      string
		writable  bool
		wantCheck string
	}{
		{name: "read-only root", writable: false, wantCheck: "mount.read-only-root"},
		{name: "writable root", writable: true, wantCheck: "mount.writable-root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := nginitOptions(t)
			opts.WritableRoot = tt.writable
			opts.Args = []string{"/nginit", "check", "--format", "json"}
			status, out := runToExit(t, opts)
			if status != 0 {
				t.Errorf("nginit check exit status = %d, want 0 for the example site", status)
			}
			start, end := strings.Index(out, "{"), strings.LastIndex(out, "}")
			if start < 0 || end < start {
				t.Fatalf("nginit check printed no JSON object:\n%s", out)
			}
			var report checkReport
			if err := json.Unmarshal([]byte(out[start:end+1]), &report); err != nil {
				t.Fatalf("decode nginit check JSON: %v", err)
			}
			found := false
			for _, f := range report.Findings {
				found = found || f.Check == tt.wantCheck
			}
			if !found {
				t.Errorf("report has no %s finding:\n%s", tt.wantCheck, out)
			}
		})
	}
}

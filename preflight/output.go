package preflight

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for people: errors first, each with its fix,
// then warnings and information, then a summary line.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s: %s: %s\n", f.Severity, f.Subject, f.Message)
		if f.Fix != "" {
			for line := range strings.SplitSeq(f.Fix, "\n") {
				fmt.Fprintf(&b, "    fix: %s\n", line)
			}
		}
		fmt.Fprintf(&b, "    check: %s\n", f.Check)
	}
	s := r.Summary
	verdict := "nginx can start"
	if s.Failed {
		verdict = "nginx will not start"
	}
	fmt.Fprintf(&b, "%d errors, %d warnings, %d info: %s\n", s.Errors, s.Warnings, s.Info, verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

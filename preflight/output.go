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
	fmt.Fprintf(&b, "%s, %s, %d info: %s\n", plural(s.Errors, "error"), plural(s.Warnings, "warning"), s.Info, verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

// plural writes a count and a noun, in the plural for any count but one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

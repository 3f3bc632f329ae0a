package preflight

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity orders findings: an error stops nginx from starting, a warning
// does only under NGINIT_STRICT, and information never does.
type Severity int

const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "info"
}

// MarshalText writes the severity as its name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name, so a JSON report decodes back into a
// Report.
func (s *Severity) UnmarshalText(text []byte) error {
	switch string(text) {
	case "error":
		*s = Error
	case "warning":
		*s = Warning
	case "info":
		*s = Info
	default:
		return fmt.Errorf("invalid severity %q: want error, warning or info", text)
	}
	return nil
}

// Finding is one problem or fact, with the fix when there is one.
type Finding struct {
	// Check is the stable id of the check, such as "listen.privileged-port".
	Check string `json:"check"`
	// Severity is error, warning or info.
	Severity Severity `json:"severity"`
	// Subject is the thing the finding concerns: a path, a directive at
	// file:line, a port or the process identity.
	Subject string `json:"subject"`
	// Message describes the problem.
	Message string `json:"message"`
	// Fix is the change to make: a Dockerfile line, a docker run flag, a
	// Kubernetes field or an nginx directive. It is empty for pure facts.
	Fix string `json:"fix,omitempty"`
}

// Report is the findings of one preflight run.
type Report struct {
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
}

// Summary counts the findings by severity.
type Summary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Info     int `json:"info"`
	// Strict is true when warnings count as errors (NGINIT_STRICT).
	Strict bool `json:"strict"`
	// Failed is true when nginx must not start.
	Failed bool `json:"failed"`
}

// add appends a finding.
func (r *Report) add(f Finding) { r.Findings = append(r.Findings, f) }

// finish sorts the findings, errors first, and fills in the summary. The
// order inside one severity is the order the checks ran, which follows the
// configuration, so a report reads top to bottom like nginx.conf.
func (r *Report) finish(strict bool) {
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Compare(b.Severity, a.Severity)
	})
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	r.Summary = Summary{Strict: strict}
	for _, f := range r.Findings {
		switch f.Severity {
		case Error:
			r.Summary.Errors++
		case Warning:
			r.Summary.Warnings++
		default:
			r.Summary.Info++
		}
	}
	r.Summary.Failed = r.Summary.Errors > 0 || (strict && r.Summary.Warnings > 0)
}

package preflight

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// encodeStdlib is what WriteJSON must match byte for byte.
func encodeStdlib(t testing.TB, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeJSON(t testing.TB, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var trickyStrings = []string{
	"",
	"plain /var/cache/nginx/client_temp",
	`quote " and backslash \`,
	"controls \x00\x01\x07\b\f\n\r\t\x0b\x1b\x1f end",
	"html <script>&amp;</script>",
	"delete \x7f",
	"unicode é ü 日本 😀",
	"separators \u2028 and \u2029 and \u2027 \u202a",
	"invalid \xff\xfe bytes",
	"truncated \xe6\x97",
	"surrogate half \xed\xa0\x80",
	"overlong \xc0\xaf",
	"\xff",
	"replacement \ufffd itself",
}

func TestWriteJSONMatchesEncodingJSON(t *testing.T) {
	reports := map[string]*Report{
		"nil findings":   {},
		"empty findings": {Findings: []Finding{}, Summary: Summary{Strict: true}},
		"one without fix": {
			Findings: []Finding{{Check: "identity.user", Severity: Info, Subject: "process", Message: "runs as uid 101"}},
			Summary:  Summary{Info: 1},
		},
		"several": {
			Findings: []Finding{
				{Check: "listen.privileged-port", Severity: Error, Subject: "listen 80 at /etc/nginx/nginx.conf:12",
					Message: "port 80 is below 1024", Fix: "listen 8080;\nor docker run --sysctl net.ipv4.ip_unprivileged_port_start=0"},
				{Check: "read.static-root", Severity: Warning, Subject: "/srv/www", Message: "writable by uid 101"},
			},
			Summary: Summary{Errors: 1, Warnings: 1, Failed: true},
		},
		"negative counts": {Summary: Summary{Errors: -1, Warnings: 1 << 40}},
	}
	for _, s := range trickyStrings {
		reports["string "+strings.ToValidUTF8(s, "?")] = &Report{Findings: []Finding{
			{Check: s, Severity: Error, Subject: s, Message: s, Fix: s},
		}}
	}

	for name, r := range reports {
		got, want := writeJSON(t, r), encodeStdlib(t, r)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: WriteJSON =\n%s\nwant (encoding/json)\n%s", name, got, want)
		}
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	for _, s := range trickyStrings {
		r := &Report{Findings: []Finding{{Check: "c", Severity: Warning, Subject: s, Message: "m", Fix: s}}}
		out := writeJSON(t, r)
		if !utf8.Valid(out) {
			t.Errorf("WriteJSON(%q) is not valid UTF-8: %q", s, out)
		}

		var decoded struct {
			Findings []map[string]string `json:"findings"`
		}
		if err := json.Unmarshal(out, &decoded); err != nil {
			t.Fatalf("json.Unmarshal(WriteJSON(%q)): %v\n%s", s, err, out)
		}
		want := replaceInvalidBytes(s)
		if got := decoded.Findings[0]["subject"]; got != want {
			t.Errorf("subject round trip of %q = %q, want %q", s, got, want)
		}
		if got := decoded.Findings[0]["severity"]; got != "warning" {
			t.Errorf("severity = %q, want warning", got)
		}
	}
}

// replaceInvalidBytes replaces every byte of s that is not part of valid
// UTF-8 with U+FFFD, as encoding/json does. strings.ToValidUTF8 differs: it
// replaces a whole run of invalid bytes once.
func replaceInvalidBytes(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r) // range yields U+FFFD for each invalid byte
	}
	return b.String()
}

func FuzzWriteJSON(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, s, true)
	}
	f.Fuzz(func(t *testing.T, subject, fix string, strict bool) {
		r := &Report{
			Findings: []Finding{{Check: "fuzz", Severity: Error, Subject: subject, Message: subject + fix, Fix: fix}},
			Summary:  Summary{Errors: 1, Strict: strict, Failed: true},
		}
		got := writeJSON(t, r)
		if want := encodeStdlib(t, r); !bytes.Equal(got, want) {
			t.Fatalf("WriteJSON =\n%s\nwant (encoding/json)\n%s", got, want)
		}

		var raw struct {
			Findings []map[string]string `json:"findings"`
			Summary  Summary             `json:"summary"`
		}
		if err := json.Unmarshal(got, &raw); err != nil {
			t.Fatalf("json.Unmarshal(WriteJSON): %v\n%s", err, got)
		}
		if raw.Findings[0]["subject"] != replaceInvalidBytes(subject) {
			t.Errorf("subject = %q, want %q", raw.Findings[0]["subject"], replaceInvalidBytes(subject))
		}
		if raw.Findings[0]["fix"] != replaceInvalidBytes(fix) {
			t.Errorf("fix = %q, want %q", raw.Findings[0]["fix"], replaceInvalidBytes(fix))
		}
		if raw.Summary != r.Summary {
			t.Errorf("summary = %+v, want %+v", raw.Summary, r.Summary)
		}
	})
}

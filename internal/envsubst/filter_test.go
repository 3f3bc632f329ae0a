package envsubst

import (
	"regexp"
	"strings"
	"testing"
)

func mustParseFilter(t testing.TB, expr string) *Filter {
	t.Helper()
	f, err := ParseFilter(expr)
	if err != nil {
		t.Fatalf("ParseFilter(%q): %v", expr, err)
	}
	return f
}

var filterTestNames = []string{
	"APP", "APP_", "APP_HOST", "MY_APP_PORT", "NGINX_PORT", "BACKEND_URL", "URL", "PORT", "PORTS",
	"HOST", "A", "_", "a_b", "app_host", "X1",
}

func TestFilterMatch(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{"APP_", []string{"APP_", "APP_HOST", "MY_APP_PORT"}},
		{"^APP_", []string{"APP_", "APP_HOST"}},
		{"_URL$", []string{"BACKEND_URL"}},
		{"^PORT$", []string{"PORT"}},
		{"^APP_|^NGINX_|_URL$", []string{"APP_", "APP_HOST", "NGINX_PORT", "BACKEND_URL"}},
		{"PORT|HOST", []string{"APP_HOST", "MY_APP_PORT", "NGINX_PORT", "PORT", "PORTS", "HOST"}},
		{"app", []string{"app_host"}},
		{"NOPE", nil},
	}
	for _, tt := range tests {
		f := mustParseFilter(t, tt.expr)
		var got []string
		for _, name := range filterTestNames {
			if f.Match(name) {
				got = append(got, name)
			}
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("ParseFilter(%q) matches %q, want %q", tt.expr, got, tt.want)
		}
		if f.String() != tt.expr {
			t.Errorf("ParseFilter(%q).String() = %q", tt.expr, f.String())
		}
	}
}

func TestParseFilterRejects(t *testing.T) {
	tests := []struct{ expr, wantErr string }{
		{"", "empty filter"},
		{"APP.*", `metacharacter "."`},
		{"^APP_[A-Z]", `metacharacter "["`},
		{"(APP|NGINX)_", `metacharacter "("`},
		{"APP_+", `metacharacter "+"`},
		{"APP_?", `metacharacter "?"`},
		{"A{2}", `metacharacter "{"`},
		{`APP\_`, `metacharacter "\\"`},
		{"A^B", `metacharacter "^"`},
		{"A$B", `metacharacter "$"`},
		{"^^APP", `metacharacter "^"`},
		{"APP$$", `metacharacter "$"`},
		{"APP-", `character "-"`},
		{"APP HOST", `character " "`},
		{"APP\xff", `character "\xff"`},
		{"^", "empty alternative"},
		{"^$", "empty alternative"},
		{"APP|", "empty alternative"},
		{"|APP", "empty alternative"},
		{"APP||NGINX", "empty alternative"},
	}
	for _, tt := range tests {
		_, err := ParseFilter(tt.expr)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseFilter(%q) = %v, want an error containing %q", tt.expr, err, tt.wantErr)
		}
	}
}

func TestLoadConfigRejectsFilter(t *testing.T) {
	lookup := func(name string) (string, bool) {
		if name == envFilter {
			return "^APP_.*", true
		}
		return "", false
	}
	_, err := LoadConfig(lookup, "/tmp/nginit")
	if err == nil {
		t.Fatal("LoadConfig(NGINX_ENVSUBST_FILTER=^APP_.*) succeeded, want an error")
	}
	for _, want := range []string{"NGINX_ENVSUBST_FILTER", `"^APP_.*"`, "^APP_|^NGINX_"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("LoadConfig error %q lacks %q", err, want)
		}
	}
}

// FuzzParseFilter checks that every filter ParseFilter accepts selects
// exactly the names that the same text selects as a regular expression,
// which is what the official image's awk does with it.
func FuzzParseFilter(f *testing.F) {
	for _, expr := range []string{"APP_", "^APP_", "_URL$", "^PORT$", "^APP_|^NGINX_|_URL$", "a.b", "A|"} {
		f.Add(expr, "APP_HOST")
	}
	f.Fuzz(func(t *testing.T, expr, name string) {
		filter, err := ParseFilter(expr)
		if err != nil {
			return
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			t.Fatalf("ParseFilter(%q) accepted what regexp.Compile rejects: %v", expr, err)
		}
		for _, n := range append([]string{name}, filterTestNames...) {
			if got, want := filter.Match(n), re.MatchString(n); got != want {
				t.Fatalf("ParseFilter(%q).Match(%q) = %v, regexp says %v", expr, n, got, want)
			}
		}
	})
}

package envsubst

import (
	"bytes"
	"regexp"
	"testing"
)

func TestExpand(t *testing.T) {
	vars := Vars{"HOST": "example.org", "PORT": "8080", "EMPTY": "", "A_1": "x"}
	tests := []struct {
		name, src, want string
	}{
		{"plain", "listen $PORT;", "listen 8080;"},
		{"braced", "server_name ${HOST};", "server_name example.org;"},
		{"nginx variable kept", "try_files $uri $uri/ =404;", "try_files $uri $uri/ =404;"},
		{"longest name wins", "$HOSTNAME", "$HOSTNAME"},
		{"name ends at punctuation", "$HOST:$PORT/", "example.org:8080/"},
		{"adjacent braced", "${HOST}name", "example.orgname"},
		{"empty value", "a${EMPTY}b$EMPTY", "ab"},
		{"digits inside name", "$A_1 $A_12", "x $A_12"},
		{"name cannot start with digit", "$1 ${1}", "$1 ${1}"},
		{"unclosed brace", "${HOST", "${HOST"},
		{"shell default form", "${HOST:-other}", "${HOST:-other}"},
		{"lone dollar", "$ $$ $", "$ $$ $"},
		{"double dollar before name", "$$HOST", "$example.org"},
		{"empty braces", "${}", "${}"},
		{"dollar at end", "abc$", "abc$"},
		{"regex anchors in nginx", "location ~ ^/a$ { return 200 $HOST; }", "location ~ ^/a$ { return 200 example.org; }"},
		{"no references", "events {}\n", "events {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Expand([]byte(tt.src), vars)); got != tt.want {
				t.Errorf("Expand(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestDefinedVars(t *testing.T) {
	environ := []string{
		"APP_HOST=example.org",
		"APP_EMPTY=",
		"MY_APP_PORT=80",
		"PATH=/usr/bin",
		"APP_HOST=second",
		"BAD-NAME=1",
		"NOEQUALS",
	}

	all := DefinedVars(environ, nil)
	for _, name := range []string{"APP_HOST", "APP_EMPTY", "MY_APP_PORT", "PATH"} {
		if _, ok := all[name]; !ok {
			t.Errorf("DefinedVars(nil filter) lacks %s", name)
		}
	}
	if got := all["APP_HOST"]; got != "example.org" {
		t.Errorf("APP_HOST = %q, want the first entry example.org", got)
	}
	if _, ok := all["BAD-NAME"]; ok {
		t.Error("DefinedVars kept BAD-NAME, which no template can reference")
	}

	// The filter matches anywhere in the name, as awk's ~ does.
	anywhere := DefinedVars(environ, mustParseFilter(t, "APP_"))
	if len(anywhere) != 3 {
		t.Errorf("DefinedVars(APP_) = %v, want APP_HOST, APP_EMPTY and MY_APP_PORT", anywhere)
	}
	prefix := DefinedVars(environ, mustParseFilter(t, "^APP_"))
	if _, ok := prefix["MY_APP_PORT"]; ok || len(prefix) != 2 {
		t.Errorf("DefinedVars(^APP_) = %v, want APP_HOST and APP_EMPTY", prefix)
	}
}

// referencePattern is a second, independent reading of the rule that Expand
// implements, used as the fuzz test's oracle.
var referencePattern = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

func expandWithPattern(src []byte, vars Vars) []byte {
	return referencePattern.ReplaceAllFunc(src, func(ref []byte) []byte {
		m := referencePattern.FindSubmatch(ref)
		name := string(m[1]) + string(m[2])
		if value, ok := vars[name]; ok {
			return []byte(value)
		}
		return ref
	})
}

func FuzzExpand(f *testing.F) {
	for _, seed := range []string{"$HOST", "${HOST}", "$uri", "${HOST", "$$", "${}", "a$HOST_b${PORT}c", "\x00$\xff", "${EMPTY}$EMPTY"} {
		f.Add(seed)
	}
	vars := Vars{"HOST": "h$uri", "PORT": "8080", "EMPTY": "", "uri": "${HOST}"}

	f.Fuzz(func(t *testing.T, src string) {
		if got := Expand([]byte(src), nil); !bytes.Equal(got, []byte(src)) {
			t.Fatalf("Expand(%q, no vars) = %q, want the input unchanged", src, got)
		}
		got := Expand([]byte(src), vars)
		if want := expandWithPattern([]byte(src), vars); !bytes.Equal(got, want) {
			t.Fatalf("Expand(%q) = %q, want %q", src, got, want)
		}
	})
}

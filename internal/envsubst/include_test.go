package envsubst

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckIncluded(t *testing.T) {
	rendered := []Rendered{
		{Output: "/tmp/nginit/conf.d/default.conf"},
		{Output: "/tmp/nginit/conf.d/sites/api.conf"},
		{Output: "/tmp/nginit/stream-conf.d/tcp.conf", Stream: true},
	}

	all := []string{"/etc/nginx/nginx.conf", "/tmp/nginit/conf.d/default.conf", "/tmp/nginit/conf.d/sites/api.conf", "/tmp/nginit/stream-conf.d/tcp.conf"}
	if err := CheckIncluded(all, rendered); err != nil {
		t.Errorf("CheckIncluded(all included) = %v, want nil", err)
	}

	globs := []string{"/tmp/nginit/conf.d/*.conf", "/tmp/nginit/conf.d/sites/*.conf", "/tmp/nginit/stream-conf.d/*"}
	if err := CheckIncluded(globs, rendered); err != nil {
		t.Errorf("CheckIncluded(globs) = %v, want nil", err)
	}

	err := CheckIncluded([]string{"/etc/nginx/nginx.conf", "/tmp/nginit/conf.d/sites/api.conf"}, rendered)
	var notIncluded *NotIncludedError
	if !errors.As(err, &notIncluded) {
		t.Fatalf("CheckIncluded(two missing) = %v, want a *NotIncludedError", err)
	}
	if len(notIncluded.Missing) != 2 {
		t.Errorf("Missing = %v, want default.conf and tcp.conf", notIncluded.Missing)
	}
	for _, want := range []string{
		`"include /tmp/nginit/conf.d/*.conf;" to the http block`,
		`"include /tmp/nginit/stream-conf.d/*.conf;" to the stream block`,
		"/tmp/nginit/conf.d/default.conf",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error = %q, want it to contain %q", err, want)
		}
	}
}

func TestCheckIncludedNamesOddFiles(t *testing.T) {
	err := CheckIncluded(nil, []Rendered{{Output: "/tmp/nginit/conf.d/upstreams.inc"}})
	if err == nil || !strings.Contains(err.Error(), `"include /tmp/nginit/conf.d/upstreams.inc;"`) {
		t.Errorf("CheckIncluded = %v, want the include of the file itself, which *.conf would miss", err)
	}
}

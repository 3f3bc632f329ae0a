package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestCommandRecordMarshal(t *testing.T) {
	rec := commandRecord{PID: 12, StartTime: 4567, PIDNamespace: 4026532301, Argv: []string{"/usr/sbin/nginx", "-g", "daemon off;"},
		HealthURL: "http://127.0.0.1:8080/"}
	want := `nginit command record 2
pid 12
start_time 4567
pid_ns 4026532301
argv "/usr/sbin/nginx"
argv "-g"
argv "daemon off;"
health_url "http://127.0.0.1:8080/"
`
	if got := string(rec.marshal()); got != want {
		t.Errorf("marshal =\n%s\nwant\n%s", got, want)
	}
}

func TestCommandRecordRoundTripBytes(t *testing.T) {
	tests := map[string]commandRecord{
		"no health url": {PID: 1, StartTime: 0, PIDNamespace: 9, Argv: []string{"nginx"}},
		"newline and quotes": {PID: 1 << 30, StartTime: 1<<64 - 1,
			Argv: []string{"nginx", "-g", "daemon off;\nerror_log \"/dev/stderr\";", `back\slash`}},
		"invalid utf-8": {PID: 7, Argv: []string{"\xff\xfe", "\x00", "", "é \u2028"}, HealthURL: "http://[::1]:8080/"},
	}
	for name, rec := range tests {
		got, err := parseCommandRecord(rec.marshal())
		if err != nil {
			t.Errorf("%s: parseCommandRecord(marshal) error: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, rec) {
			t.Errorf("%s: parseCommandRecord(marshal) = %#v, want %#v", name, got, rec)
		}
	}
}

func TestParseCommandRecordRejects(t *testing.T) {
	const head = "nginit command record 2\n"
	tests := []struct {
		name, data, wantErr string
	}{
		{"empty", "", "empty command record"},
		{"no final newline", head + "pid 1\nstart_time 2\npid_ns 3\nargv \"nginx\"", "does not end with a newline"},
		{"old json record", `{"pid":1,"argv":["nginx"]}` + "\n", "line 1: want"},
		{"other version", "nginit command record 1\npid 1\nstart_time 2\nargv \"nginx\"\n", "line 1: want"},
		{"missing pid_ns", head + "pid 1\nstart_time 2\nargv \"nginx\"\n", "line 4: want pid_ns"},
		{"missing pid", head + "start_time 2\npid_ns 3\nargv \"nginx\"\n", "line 2: want pid"},
		{"signed pid", head + "pid +1\nstart_time 2\npid_ns 3\nargv \"nginx\"\n", "line 2: want pid"},
		{"negative pid", head + "pid -1\nstart_time 2\npid_ns 3\nargv \"nginx\"\n", "line 2: want pid"},
		{"leading zero pid", head + "pid 01\nstart_time 2\npid_ns 3\nargv \"nginx\"\n", "line 2: want pid"},
		{"huge pid", head + "pid 2147483648\nstart_time 2\npid_ns 3\nargv \"nginx\"\n", "line 2: want pid"},
		{"pid with space", head + "pid  1\nstart_time 2\npid_ns 3\nargv \"nginx\"\n", "line 2: want pid"},
		{"start time overflow", head + "pid 1\nstart_time 18446744073709551616\nargv \"nginx\"\n", "line 3: want start_time"},
		{"no argv", head + "pid 1\nstart_time 2\npid_ns 3\n", "line 5: want argv"},
		{"unquoted argv", head + "pid 1\nstart_time 2\npid_ns 3\nargv nginx\n", "line 5: want argv"},
		{"raw string argv", head + "pid 1\nstart_time 2\npid_ns 3\nargv `nginx`\n", "line 5: want argv"},
		{"rune argv", head + "pid 1\nstart_time 2\npid_ns 3\nargv 'n'\n", "line 5: want argv"},
		{"non-canonical escape", head + "pid 1\nstart_time 2\npid_ns 3\nargv \"\\x41\"\n", "line 5: want argv"},
		{"trailing text", head + "pid 1\nstart_time 2\npid_ns 3\nargv \"nginx\" x\n", "line 5: want argv"},
		{"carriage return", head + "pid 1\nstart_time 2\npid_ns 3\nargv \"nginx\"\r\n", "line 5: want argv"},
		{"unknown key", head + "pid 1\nstart_time 2\npid_ns 3\nargv \"nginx\"\nuser \"x\"\n", "line 6: want argv, health_url"},
		{"blank line", head + "pid 1\nstart_time 2\npid_ns 3\nargv \"nginx\"\n\n", "line 6: want argv, health_url"},
		{"duplicate pid", head + "pid 1\npid 2\nstart_time 2\npid_ns 3\nargv \"nginx\"\n", "line 3: want start_time"},
		{"empty health url", head + "pid 1\nstart_time 2\npid_ns 3\nargv \"nginx\"\nhealth_url \"\"\n", "line 6: want health_url"},
		{"argv after health url", head + "pid 1\nstart_time 2\npid_ns 3\nargv \"nginx\"\nhealth_url \"http://x/\"\nargv \"-t\"\n", "line 7: want the end"},
	}
	for _, tt := range tests {
		_, err := parseCommandRecord([]byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: parseCommandRecord(%q) = %v, want an error containing %q", tt.name, tt.data, err, tt.wantErr)
		}
	}
}

func FuzzParseCommandRecord(f *testing.F) {
	f.Add(commandRecord{PID: 1, StartTime: 2, Argv: []string{"nginx", "-g", "daemon off;"}, HealthURL: "http://x/"}.marshal())
	f.Add([]byte("nginit command record 1\npid 1\nstart_time 2\nargv \"\\xff\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := parseCommandRecord(data)
		if err != nil {
			return
		}
		if rec.PID <= 0 || len(rec.Argv) == 0 {
			t.Fatalf("parseCommandRecord(%q) = %+v without an error, want a pid and argv", data, rec)
		}
		// A record that parses is canonical: writing it again gives the
		// same bytes.
		if again := rec.marshal(); string(again) != string(data) {
			t.Fatalf("marshal(parseCommandRecord(%q)) = %q, want the input", data, again)
		}
	})
}

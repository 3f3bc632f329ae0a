package nginxconf

import (
	"reflect"
	"testing"
)

func TestParseCommandLine(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want CommandLine
	}{
		{"program only", []string{"nginx"}, CommandLine{Program: "nginx", ParamsIndex: -1}},
		{"separate values", []string{"/usr/sbin/nginx", "-c", "/etc/n.conf", "-p", "/srv/", "-e", "stderr", "-s", "reload"},
			CommandLine{Program: "/usr/sbin/nginx", ConfFile: "/etc/n.conf", Prefix: "/srv/", ErrorLog: "stderr", ErrorLogSet: true, Signal: "reload", ParamsIndex: -1}},
		{"glued values", []string{"nginx", "-c/etc/n.conf", "-p/srv/", "-e/tmp/e.log", "-squit"},
			CommandLine{Program: "nginx", ConfFile: "/etc/n.conf", Prefix: "/srv/", ErrorLog: "/tmp/e.log", ErrorLogSet: true, Signal: "quit", ParamsIndex: -1}},
		{"combined flags", []string{"nginx", "-tq"}, CommandLine{Program: "nginx", Test: true, Quiet: true, ParamsIndex: -1}},
		{"dump implies test", []string{"nginx", "-T"}, CommandLine{Program: "nginx", Test: true, Dump: true, ParamsIndex: -1}},
		{"capital V", []string{"nginx", "-V"}, CommandLine{Program: "nginx", Version: true, Configure: true, ParamsIndex: -1}},
		{"help", []string{"nginx", "-h"}, CommandLine{Program: "nginx", Version: true, Help: true, ParamsIndex: -1}},
		{"flag then glued value", []string{"nginx", "-tc/x.conf"}, CommandLine{Program: "nginx", Test: true, ConfFile: "/x.conf", ParamsIndex: -1}},
		{"separate -g", []string{"nginx", "-g", "daemon off;"}, CommandLine{Program: "nginx", Params: "daemon off;", ParamsIndex: 2}},
		{"glued -g", []string{"nginx", "-gdaemon off;"}, CommandLine{Program: "nginx", Params: "daemon off;", ParamsIndex: 1, ParamsGlued: true}},
		{"last -g wins", []string{"nginx", "-g", "pid /a;", "-g", "daemon off;"}, CommandLine{Program: "nginx", Params: "daemon off;", ParamsIndex: 4}},
		{"empty -e", []string{"nginx", "-e", ""}, CommandLine{Program: "nginx", ErrorLogSet: true, ParamsIndex: -1}},
		{"lone dash", []string{"nginx", "-"}, CommandLine{Program: "nginx", ParamsIndex: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommandLine(tt.argv)
			if err != nil {
				t.Fatalf("ParseCommandLine(%q): %v", tt.argv, err)
			}
			got.Directives = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("ParseCommandLine(%q) =\n%+v\nwant\n%+v", tt.argv, *got, tt.want)
			}
		})
	}
}

func TestParseCommandLineDirectives(t *testing.T) {
	cmd, err := ParseCommandLine([]string{"nginx", "-g", "daemon off; worker_processes 2;"})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(cmd.Directives); got != "daemon worker_processes" {
		t.Errorf("Directives = %q, want daemon worker_processes", got)
	}
	if d := cmd.Directives[1]; d.Source() != "command line -g:1" || d.Args[0] != "2" {
		t.Errorf("worker_processes = %s %q, want command line -g:1 [2]", d.Source(), d.Args)
	}
}

func TestParseCommandLineErrors(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"empty argv", nil, "parse nginx command line: empty"},
		{"positional argument", []string{"nginx", "daemon"}, `parse nginx command line: invalid option: "daemon"`},
		{"unknown flag", []string{"nginx", "-x"}, `parse nginx command line: invalid option: "x"`},
		{"unknown flag after known", []string{"nginx", "-tx"}, `parse nginx command line: invalid option: "x"`},
		{"missing conf file", []string{"nginx", "-c"}, `parse nginx command line: option "-c" requires file name`},
		{"missing prefix", []string{"nginx", "-p"}, `parse nginx command line: option "-p" requires directory name`},
		{"missing -g text", []string{"nginx", "-g"}, `parse nginx command line: option "-g" requires parameter`},
		{"bad signal", []string{"nginx", "-s", "kill"}, `parse nginx command line: invalid option: "-s kill"`},
		{"bad -g text", []string{"nginx", "-g", "daemon off"}, `parse command line -g:1: unexpected end of parameter, expecting ";"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCommandLine(tt.argv)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseCommandLine(%q) error = %v, want %q", tt.argv, err, tt.want)
			}
		})
	}
}

package preflight

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nginit/nginit/nginxconf"
)

// officialBuild is `nginx -V` of the official nginx image, whose
// compile-time error log is a file, with its paths moved below the
// placeholder FIXTURE.
const officialBuild = `nginx version: nginx/1.27.3
built by gcc 12.2.0 (Debian 12.2.0-14)
configure arguments: --prefix=/etc/nginx --sbin-path=/usr/sbin/nginx --conf-path=FIXTURE/nginx.conf --error-log-path=FIXTURE/log/error.log --http-log-path=FIXTURE/log/access.log --pid-path=FIXTURE/run/nginx.pid --http-client-body-temp-path=FIXTURE/cache/client_temp --http-proxy-temp-path=FIXTURE/cache/proxy_temp --http-fastcgi-temp-path=FIXTURE/cache/fastcgi_temp --http-uwsgi-temp-path=FIXTURE/cache/uwsgi_temp --http-scgi-temp-path=FIXTURE/cache/scgi_temp --user=nginx --group=nginx
`

// errorLogResult is what the errorLog child returns.
type errorLogResult struct {
	StartupWritable bool
	Command         []string
	Report          *Report
}

// decodedResult is errorLogResult as the parent decodes it: Severity
// encodes as its name and has no decoder.
type decodedResult struct {
	StartupWritable bool
	Command         []string
	Report          struct {
		Findings []struct{ Check, Severity, Subject, Message, Fix string }
	}
}

func init() {
	// errorLog analyzes args[0] as the configuration with the build info
	// text args[1], as the runtime user, the way nginit's start does.
	childFuncs["errorLog"] = func(args []string) (any, error) {
		plan, err := planFor(args[0], args[1])
		if err != nil {
			return nil, err
		}
		bi, _ := nginxconf.ParseBuildInfo(strings.NewReader(args[1]))
		writable := StartupErrorLogWritable(plan)
		command, _, err := nginxconf.ComposeCommand([]string{"nginx", "-g", "daemon off;"}, plan, "/tmp/nginit", bi, writable)
		if err != nil {
			return nil, err
		}
		report := Run(Input{
			Process:               Process{UID: runtimeUID, GID: runtimeGID, IsPID1: true, NoNewPrivs: true},
			Plan:                  plan,
			Tmpfs:                 TmpfsOff,
			UnprivilegedPortStart: 1024,
			ErrorLogToStderr:      !writable,
		})
		return errorLogResult{StartupWritable: writable, Command: command, Report: report}, nil
	}
}

func planFor(confPath, build string) (*nginxconf.Plan, error) {
	bi, err := nginxconf.ParseBuildInfo(strings.NewReader(build))
	if err != nil {
		return nil, err
	}
	cmd, err := nginxconf.ParseCommandLine([]string{"nginx", "-c", confPath})
	if err != nil {
		return nil, err
	}
	cfg, err := nginxconf.ParseFile(confPath, filepath.Dir(confPath))
	if cfg == nil {
		return nil, err
	}
	return nginxconf.Analyze(cfg, cmd, bi), nil
}

func TestUnwritableErrorLogs(t *testing.T) {
	// FIXTURE/log is root-owned 0755, so uid 101 can create no log there;
	// FIXTURE/tmp is where the configuration moves what must work.
	dir := fixtureDir(t)
	for _, d := range []string{"log", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(dir, "tmp"), runtimeUID, runtimeGID); err != nil {
		t.Fatal(err)
	}
	conf := strings.ReplaceAll(`pid FIXTURE/tmp/nginx.pid;
error_log FIXTURE/log/main.log;
events {}
http {
    access_log FIXTURE/log/access.log combined;
    client_body_temp_path FIXTURE/tmp/client_temp;
    proxy_temp_path FIXTURE/tmp/proxy_temp;
    fastcgi_temp_path FIXTURE/tmp/fastcgi_temp;
    uwsgi_temp_path FIXTURE/tmp/uwsgi_temp;
    scgi_temp_path FIXTURE/tmp/scgi_temp;
    server {
        listen 8080;
        error_log FIXTURE/log/server.log warn;
        access_log /dev/stdout;
    }
}
`, "FIXTURE", dir)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}

	var got decodedResult
	runAsRuntimeUser(t, "errorLog", &got, confPath, strings.ReplaceAll(officialBuild, "FIXTURE", dir))

	if got.StartupWritable {
		t.Errorf("StartupErrorLogWritable = true for %s/log/error.log in a root-owned 0755 directory, want false", dir)
	}
	if i := slices.Index(got.Command, "-e"); i < 0 || i+1 >= len(got.Command) || got.Command[i+1] != "stderr" {
		t.Errorf("ComposeCommand = %q, want -e stderr for nginx 1.27.3 with an unwritable startup error log", got.Command)
	}

	byCheck := map[string][]string{}
	for _, f := range got.Report.Findings {
		byCheck[f.Check] = append(byCheck[f.Check], f.Subject)
	}
	for _, log := range []string{"main.log", "server.log", "access.log"} {
		found := false
		for _, subject := range byCheck["write.not-writable"] {
			if strings.Contains(subject, filepath.Join(dir, "log", log)) {
				found = true
			}
		}
		if !found {
			t.Errorf("no write.not-writable finding for the log file %s; findings: %+v", log, got.Report.Findings)
		}
	}
	if len(byCheck["write.startup-error-log"]) != 1 {
		t.Errorf("write.startup-error-log findings = %q, want one for the compile-time error log", byCheck["write.startup-error-log"])
	}
	for _, subject := range byCheck["write.not-writable"] {
		if strings.Contains(subject, "error.log") {
			t.Errorf("the compile-time error log is an error although nginit passes -e stderr: %s", subject)
		}
	}
}

func TestComposeErrorLogToStderr(t *testing.T) {
	tests := []struct {
		name     string
		argv     []string
		version  string
		writable bool
		want     bool
	}{
		{name: "unwritable", argv: []string{"nginx"}, version: "1.27.3", want: true},
		{name: "writable", argv: []string{"nginx"}, version: "1.27.3", writable: true},
		{name: "before -e existed", argv: []string{"nginx"}, version: "1.19.4"},
		{name: "first with -e", argv: []string{"nginx"}, version: "1.19.5", want: true},
		{name: "user passed -e", argv: []string{"nginx", "-e", "/tmp/e.log"}, version: "1.27.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			build := strings.ReplaceAll(strings.Replace(officialBuild, "1.27.3", tt.version, 1), "FIXTURE", "/nonexistent")
			bi, err := nginxconf.ParseBuildInfo(strings.NewReader(build))
			if err != nil {
				t.Fatal(err)
			}
			command, _, err := nginxconf.ComposeCommand(tt.argv, nil, "/tmp/nginit", bi, tt.writable)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.Contains(command, "stderr")
			if got != tt.want {
				t.Errorf("ComposeCommand(%q, nginx %s, writable %t) = %q, want -e stderr %t", tt.argv, tt.version, tt.writable, command, tt.want)
			}
		})
	}
}

package nginxconf

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// installTree copies the tree testdata/<name> into a temporary directory and
// rewrites "/etc/nginx/" in every file to the copy, so that absolute include
// paths resolve inside it. It returns the copy's root.
func installTree(t *testing.T, name string) string {
	t.Helper()
	root := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		dst := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		text := strings.ReplaceAll(string(data), "/etc/nginx/", root+"/etc/nginx/")
		return os.WriteFile(dst, []byte(text), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func loadBuildInfo(t *testing.T, name string) BuildInfo {
	t.Helper()
	return parseBuildInfoFile(t, filepath.Join("testdata", name))
}

// writeSummary renders writes as "kind path [levels] <- source".
func writeSummary(p *Plan, root string) []string {
	var out []string
	for _, w := range p.Writes {
		s := string(w.Kind) + " " + strings.TrimPrefix(w.Path, root)
		if len(w.Levels) > 0 {
			s += " levels=" + strings.Join(w.Levels, ":")
		}
		if w.Kind == WriteCacheDir && !w.UseTempPath {
			s += " use_temp_path=off"
		}
		out = append(out, s+" <- "+strings.TrimPrefix(w.Source, root))
	}
	return out
}

func readSummary(p *Plan, root string) []string {
	var out []string
	for _, r := range p.Reads {
		s := string(r.Kind) + " " + strings.TrimPrefix(r.Path, root)
		if r.Kind == ReadStaticRoot {
			s += " location=" + r.Location + " index=" + strings.Join(r.Index, ",")
			if r.IndexSet {
				s += " (set)"
			}
			if r.Implicit {
				s += " (default)"
			}
			if r.BackendOnly {
				s += " (backend)"
			}
		}
		out = append(out, s+" <- "+strings.TrimPrefix(r.Source, root))
	}
	return out
}

func listenSummary(p *Plan, root string) []string {
	var out []string
	for _, l := range p.Listens {
		s := l.Module + " " + l.Address + " " + strconv.Itoa(l.Port)
		if len(l.Params) > 0 {
			s += " " + strings.Join(l.Params, " ")
		}
		if l.Implicit {
			s += " (implicit)"
		}
		out = append(out, s+" <- "+strings.TrimPrefix(l.Source, root))
	}
	return out
}

func assertLines(t *testing.T, subject string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s =\n  %s\nwant\n  %s", subject, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestAnalyzeDebian12(t *testing.T) {
	root := installTree(t, "debian12")
	bi := loadBuildInfo(t, "nginx-V-debian12.txt").WithPrefix("/usr/share/nginx")
	bi.ConfPath = root + "/etc/nginx/nginx.conf"

	cmd, err := ParseCommandLine([]string{"nginx", "-g", "daemon off;"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFile(bi.ConfPath, "")
	if err != nil {
		t.Fatalf("ParseFile(debian12): %v", err)
	}
	plan := Analyze(cfg, cmd, bi)

	assertLines(t, "Writes", writeSummary(plan, root), []string{
		"pid file /run/nginx.pid <- /etc/nginx/nginx.conf:3",
		"error log /var/log/nginx/error.log <- /etc/nginx/nginx.conf:4",
		"access log /var/log/nginx/access.log <- /etc/nginx/nginx.conf:40",
		"temp dir /var/lib/nginx/body <- compile-time default (--http-client-body-temp-path)",
		"temp dir /var/lib/nginx/proxy <- compile-time default (--http-proxy-temp-path)",
		"temp dir /var/lib/nginx/fastcgi <- compile-time default (--http-fastcgi-temp-path)",
		"temp dir /var/lib/nginx/uwsgi <- compile-time default (--http-uwsgi-temp-path)",
		"temp dir /var/lib/nginx/scgi <- compile-time default (--http-scgi-temp-path)",
	})
	assertLines(t, "Reads", readSummary(plan, root), []string{
		"configuration /etc/nginx/nginx.conf <- compile-time default (--conf-path)",
		"include /etc/nginx/mime.types <- /etc/nginx/nginx.conf:26",
		"include /etc/nginx/sites-enabled/default <- /etc/nginx/nginx.conf:60",
		"static root /var/www/html location= index=index.html,index.htm,index.nginx-debian.html (set) <- /etc/nginx/sites-enabled/default:41",
	})
	assertLines(t, "Listens", listenSummary(plan, root), []string{
		"http * 80 default_server <- /etc/nginx/sites-enabled/default:22",
		"http [::] 80 default_server <- /etc/nginx/sites-enabled/default:23",
	})

	f := plan.Facts
	if f.PID == nil || f.PID.Args[0] != "/run/nginx.pid" {
		t.Errorf("Facts.PID = %v, want pid /run/nginx.pid", f.PID)
	}
	if f.Daemon == nil || f.Daemon.File != "command line -g" {
		t.Errorf("Facts.Daemon = %v, want the -g directive", f.Daemon)
	}
	if f.User == nil || f.User.Args[0] != "www-data" || f.User.Line != 1 {
		t.Errorf("Facts.User = %+v, want www-data at line 1", f.User)
	}
	if f.WorkerProcesses == nil || f.WorkerProcesses.Args[0] != "auto" {
		t.Errorf("Facts.WorkerProcesses = %v, want auto", f.WorkerProcesses)
	}
	if f.ErrorLog == nil || f.HTTP == nil || f.ClientBodyInFileOnly != nil {
		t.Errorf("Facts = %+v, want error_log and http set, client_body_in_file_only unset", f)
	}
	if plan.StartupErrorLog != "stderr" {
		t.Errorf("StartupErrorLog = %q, want stderr", plan.StartupErrorLog)
	}
}

func TestAnalyzeOfficialImage(t *testing.T) {
	root := installTree(t, "official")
	bi := loadBuildInfo(t, "nginx-V-official-1.27.3.txt")
	cfg, err := ParseFile(root+"/etc/nginx/nginx.conf", "")
	if err != nil {
		t.Fatalf("ParseFile(official): %v", err)
	}
	cmd, err := ParseCommandLine([]string{"nginx", "-g", "daemon off;"})
	if err != nil {
		t.Fatal(err)
	}
	plan := Analyze(cfg, cmd, bi)

	assertLines(t, "Writes", writeSummary(plan, root), []string{
		"pid file /var/run/nginx.pid <- /etc/nginx/nginx.conf:6",
		"error log /var/log/nginx/error.log <- compile-time default (--error-log-path)",
		"access log /var/log/nginx/access.log <- /etc/nginx/nginx.conf:22",
		"temp dir /var/cache/nginx/client_temp <- compile-time default (--http-client-body-temp-path)",
		"temp dir /var/cache/nginx/proxy_temp <- compile-time default (--http-proxy-temp-path)",
		"temp dir /var/cache/nginx/fastcgi_temp <- compile-time default (--http-fastcgi-temp-path)",
		"temp dir /var/cache/nginx/uwsgi_temp <- compile-time default (--http-uwsgi-temp-path)",
		"temp dir /var/cache/nginx/scgi_temp <- compile-time default (--http-scgi-temp-path)",
	})
	assertLines(t, "Reads", readSummary(plan, root), []string{
		"configuration /etc/nginx/nginx.conf <- compile-time default (--conf-path)",
		"include /etc/nginx/mime.types <- /etc/nginx/nginx.conf:15",
		"include /etc/nginx/conf.d/default.conf <- /etc/nginx/nginx.conf:31",
		"static root /usr/share/nginx/html location=/ index=index.html,index.htm (set) <- /etc/nginx/conf.d/default.conf:9",
		"static root /usr/share/nginx/html location== /50x.html index=index.html <- /etc/nginx/conf.d/default.conf:19",
	})
	assertLines(t, "Listens", listenSummary(plan, root), []string{
		"http * 80 <- /etc/nginx/conf.d/default.conf:2",
		"http [::] 80 <- /etc/nginx/conf.d/default.conf:3",
	})
	if plan.Facts.User == nil || plan.Facts.User.Args[0] != "nginx" {
		t.Errorf("Facts.User = %v, want nginx", plan.Facts.User)
	}
}

func TestAnalyzeNonRoot(t *testing.T) {
	root := installTree(t, "nonroot")
	bi := loadBuildInfo(t, "nginx-V-official-1.27.3.txt")
	cmd, err := ParseCommandLine([]string{"nginx", "-c", root + "/nginx.conf"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFile(Locate(cmd, bi).ConfFile, "")
	if err != nil {
		t.Fatalf("ParseFile(nonroot): %v", err)
	}
	plan := Analyze(cfg, cmd, bi)

	assertLines(t, "Writes", writeSummary(plan, root), []string{
		"pid file /tmp/nginit/nginx.pid <- /nginx.conf:4",
		"error log /var/log/nginx/error.log <- compile-time default (--error-log-path)",
		"access log /dev/stdout <- /nginx.conf:14",
		"temp dir /tmp/nginx/client_body levels=1:2 <- /nginx.conf:15",
		"temp dir /tmp/nginx/proxy <- /nginx.conf:16",
		"temp dir /tmp/nginx/fastcgi <- /nginx.conf:17",
		"temp dir /tmp/nginx/uwsgi <- /nginx.conf:18",
		"temp dir /tmp/nginx/scgi <- /nginx.conf:19",
		"cache dir /tmp/nginx/cache levels=1:2 use_temp_path=off <- /nginx.conf:21",
	})
	assertLines(t, "Reads", readSummary(plan, root), []string{
		"configuration /nginx.conf <- command line -c",
		"include /mime.types <- /nginx.conf:11",
		"static root /srv/www location= index=index.html <- /nginx.conf:26",
		"password file /htpasswd <- /nginx.conf:30",
		"tls file /tls/site.crt <- /nginx.conf:41",
		"tls file /tls/site.key <- /nginx.conf:42",
		"static root /srv/assets/ location=/assets/ index=index.htm (set) <- /nginx.conf:47",
	})
	assertLines(t, "Listens", listenSummary(plan, root), []string{
		"http * 8080 default_server <- /nginx.conf:24",
		"http [::] 8080 default_server <- /nginx.conf:25",
		"http 127.0.0.1 8443 ssl <- /nginx.conf:40",
	})
	if plan.Facts.User != nil || plan.Facts.Daemon != nil {
		t.Errorf("Facts = %+v, want no user and no daemon", plan.Facts)
	}
	if w := plan.Facts.WorkerProcesses; w == nil || w.Args[0] != "2" {
		t.Errorf("Facts.WorkerProcesses = %v, want 2", w)
	}
}

// analyzeText parses one configuration file written from text and analyzes
// it with a build whose prefix is /p.
func analyzeText(t *testing.T, text string, argv ...string) *Plan {
	t.Helper()
	dir := writeTree(t, map[string]string{"nginx.conf": text})
	bi, err := ParseBuildInfo(strings.NewReader("nginx version: nginx/1.22.1\nconfigure arguments: --prefix=/p\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := ParseCommandLine(append([]string{"nginx"}, argv...))
	if err != nil {
		t.Fatal(err)
	}
	return Analyze(cfg, cmd, bi)
}

func TestAnalyzeCases(t *testing.T) {
	tests := []struct {
		name    string
		conf    string
		argv    []string
		writes  []string
		listens []string
		roots   []string
	}{
		{
			name: "no http block",
			conf: "events {}\n",
			writes: []string{
				"pid file /p/logs/nginx.pid",
				"error log /p/logs/error.log",
			},
		},
		{
			name: "temp path set in every server skips the default",
			conf: "http { server { listen 8080; proxy_temp_path /t/a 1 2; } server { listen 8081; proxy_temp_path /t/b; } }",
			writes: []string{
				"pid file /p/logs/nginx.pid",
				"error log /p/logs/error.log",
				"temp dir /t/a",
				"temp dir /t/b",
				"temp dir /p/client_body_temp",
				"temp dir /p/fastcgi_temp",
				"temp dir /p/uwsgi_temp",
				"temp dir /p/scgi_temp",
				"access log /p/logs/access.log",
			},
		},
		{
			name: "log targets that are not files",
			conf: "error_log stderr; error_log syslog:server=unix:/dev/log; error_log memory:32m debug;\n" +
				"http { access_log off; access_log syslog:server=x; access_log /l/$host.log; access_log logs/a.log; error_log e.log;\n" +
				"client_body_temp_path c; proxy_temp_path p; fastcgi_temp_path f; uwsgi_temp_path u; scgi_temp_path s; }",
			argv: []string{"-e", "stderr"},
			writes: []string{
				"pid file /p/logs/nginx.pid",
				"access log /p/logs/a.log",
				"error log /p/e.log",
				"temp dir /p/c",
				"temp dir /p/p",
				"temp dir /p/f",
				"temp dir /p/u",
				"temp dir /p/s",
			},
		},
		{
			name: "prefix from command line",
			conf: "events {}\n",
			argv: []string{"-p", "/q/", "-e", "err.log", "-g", "pid run/n.pid;"},
			writes: []string{
				"pid file /q/run/n.pid",
				"error log /q/err.log",
			},
		},
		{
			name: "listen forms",
			conf: "http { server { listen 8080; listen 127.0.0.1:8081; listen [::1]:8082 ipv6only=on; listen *:80; listen localhost:8083 default_server; listen [::]; listen 10.0.0.1; listen unix:/run/n.sock; } server { server_name x; } }\n" +
				"stream { server { listen 53 udp; listen 127.0.0.1:12345; listen localhost; } }",
			listens: []string{
				"http * 8080",
				"http 127.0.0.1 8081",
				"http [::1] 8082 ipv6only=on",
				"http * 80",
				"http localhost 8083 default_server",
				"http [::] 80",
				"http 10.0.0.1 80",
				"http * 8000 (implicit)",
				"stream * 53 udp",
				"stream 127.0.0.1 12345",
				"stream localhost 0",
			},
		},
		{
			name: "default root for a server without root",
			conf: "http { server { listen 8080; location /api/ { proxy_pass http://b; } location / { index a.html; } } server { listen 8081; location / { return 204; } } }",
			roots: []string{
				"static root /p/html location= index=index.html (default)",
			},
		},
		{
			name: "no default root for a server that answers every request",
			conf: "http {" +
				" server { listen 1; return 301 https://$host$request_uri; }" +
				" server { listen 2; rewrite ^ https://example.com$request_uri; }" +
				" server { listen 3; rewrite ^(.*)$ /x$1 permanent; location / { } }" +
				" server { listen 4; location / { stub_status; } location /gif { empty_gif; } }" +
				" server { listen 5; location / { content_by_lua 'ngx.say(1)'; } location /r { rewrite ^ /index.php last; } }" +
				" }",
			roots: []string{},
		},
		{
			name: "default root for a server whose rewrite does not always fire",
			conf: "http { server { listen 1; rewrite ^/old /new permanent; } server { listen 2; rewrite ^ /index.php last; } }",
			roots: []string{
				"static root /p/html location= index=index.html (default)",
			},
		},
		{
			name: "root of a backend location",
			conf: "http { server { listen 1; root /srv/www; location ~ \\.php$ { root /srv/app; fastcgi_pass 127.0.0.1:9000; location /nested { root /srv/n; } } } }",
			roots: []string{
				"static root /srv/www location= index=index.html",
				"static root /srv/app location=~ \\.php$ index=index.html (backend)",
				"static root /srv/n location=/nested index=index.html",
			},
		},
		{
			name: "server root that no request reaches",
			conf: "http { server { listen 1; root /srv/private; location / { proxy_pass http://127.0.0.1:2; } location /static/ { alias /srv/www/; } } }",
			roots: []string{
				"static root /srv/private location= index=index.html (backend)",
				"static root /srv/www/ location=/static/ index=index.html",
			},
		},
		{
			name: "server root reached without a catch-all location",
			conf: "http { server { listen 1; root /srv/www; location /api/ { proxy_pass http://127.0.0.1:2; } } }",
			roots: []string{
				"static root /srv/www location= index=index.html",
			},
		},
		{
			name: "root with variable and map contents skipped",
			conf: "http { map $uri $r { root /nope; } server { listen 1; root /srv/$host; location /a/ { alias /a/; } } }",
			roots: []string{
				"static root /a/ location=/a/ index=index.html",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := analyzeText(t, tt.conf, tt.argv...)
			if tt.writes != nil {
				var got []string
				for _, w := range plan.Writes {
					got = append(got, string(w.Kind)+" "+w.Path)
				}
				assertLines(t, "Writes", got, tt.writes)
			}
			if tt.listens != nil {
				var got []string
				for _, s := range listenSummary(plan, "") {
					got = append(got, s[:strings.Index(s, " <- ")])
				}
				if tt.name == "listen forms" {
					var sockets []string
					for _, w := range plan.Writes {
						if w.Kind == WriteSocket {
							sockets = append(sockets, w.Path)
						}
					}
					assertLines(t, "unix sockets", sockets, []string{"/run/n.sock"})
				}
				assertLines(t, "Listens", got, tt.listens)
			}
			if tt.roots != nil {
				got := []string{}
				for _, s := range readSummary(plan, "") {
					if strings.HasPrefix(s, "static root") {
						got = append(got, s[:strings.Index(s, " <- ")])
					}
				}
				assertLines(t, "static roots", got, tt.roots)
			}
		})
	}
}

func TestSplitListenAddress(t *testing.T) {
	tests := []struct {
		value       string
		defaultPort bool
		address     string
		port        int
	}{
		{"8080", true, "*", 8080},
		{"[::]:8080", true, "[::]", 8080},
		{"[::]", true, "[::]", 80},
		{"127.0.0.1:8080", true, "127.0.0.1", 8080},
		{"*:80", true, "*", 80},
		{"localhost", true, "localhost", 80},
		{"localhost", false, "localhost", 0},
		{"127.0.0.1:99999", true, "127.0.0.1", 0},
		{"[::1", true, "[::1", 0},
		{"[::1]x", true, "[::1]x", 0},
	}
	for _, tt := range tests {
		address, port := splitListenAddress(tt.value, tt.defaultPort)
		if address != tt.address || port != tt.port {
			t.Errorf("splitListenAddress(%q, %v) = %q, %d, want %q, %d", tt.value, tt.defaultPort, address, port, tt.address, tt.port)
		}
	}
}

// TestAnalyzeInstalledNginx runs the whole sequence nginit runs against the
// nginx installed on this machine, when there is one.
func TestAnalyzeInstalledNginx(t *testing.T) {
	path, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("nginx is not installed")
	}
	bi, err := ReadBuildInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	argv := []string{path, "-g", "daemon off;"}
	cmd, err := ParseCommandLine(argv)
	if err != nil {
		t.Fatal(err)
	}
	loc := Locate(cmd, bi)
	cfg, err := ParseFile(loc.ConfFile, loc.ConfPrefix)
	if err != nil {
		t.Fatalf("ParseFile(%s): %v", loc.ConfFile, err)
	}
	plan := Analyze(cfg, cmd, bi)
	if len(plan.Writes) == 0 || plan.Writes[0].Kind != WritePIDFile {
		t.Errorf("Writes = %+v, want the pid file first", plan.Writes)
	}

	out, _, err := ComposeCommand(argv, plan, "/tmp/nginit", bi, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCommandLine(out); err != nil {
		t.Errorf("composed %q does not parse: %v", out, err)
	}
}

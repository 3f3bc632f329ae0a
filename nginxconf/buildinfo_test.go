package nginxconf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func parseBuildInfoFile(t *testing.T, name string) BuildInfo {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bi, err := ParseBuildInfo(f)
	if err != nil {
		t.Fatalf("ParseBuildInfo(%s): %v", name, err)
	}
	return bi
}

// paths returns the derived fields of bi, for comparison.
func paths(bi BuildInfo) BuildInfo {
	bi.ConfigureArgs = nil
	return bi
}

func TestParseBuildInfoDebian12(t *testing.T) {
	got := paths(parseBuildInfoFile(t, "testdata/nginx-V-debian12.txt"))
	want := BuildInfo{
		Version:            "1.22.1",
		Prefix:             "/usr/share/nginx",
		ConfPath:           "/etc/nginx/nginx.conf",
		PidPath:            "/run/nginx.pid",
		ErrorLogPath:       "stderr",
		HTTPLogPath:        "/var/log/nginx/access.log",
		LockPath:           "/var/lock/nginx.lock",
		ModulesPath:        "/usr/lib/nginx/modules",
		ClientBodyTempPath: "/var/lib/nginx/body",
		ProxyTempPath:      "/var/lib/nginx/proxy",
		FastCGITempPath:    "/var/lib/nginx/fastcgi",
		UWSGITempPath:      "/var/lib/nginx/uwsgi",
		SCGITempPath:       "/var/lib/nginx/scgi",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseBuildInfo(debian12) =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseBuildInfoOfficialImage(t *testing.T) {
	bi := parseBuildInfoFile(t, "testdata/nginx-V-official-1.27.3.txt")
	want := BuildInfo{
		Version:            "1.27.3",
		Prefix:             "/etc/nginx",
		ConfPath:           "/etc/nginx/nginx.conf",
		PidPath:            "/var/run/nginx.pid",
		ErrorLogPath:       "/var/log/nginx/error.log",
		HTTPLogPath:        "/var/log/nginx/access.log",
		LockPath:           "/var/run/nginx.lock",
		ModulesPath:        "/usr/lib/nginx/modules",
		ClientBodyTempPath: "/var/cache/nginx/client_temp",
		ProxyTempPath:      "/var/cache/nginx/proxy_temp",
		FastCGITempPath:    "/var/cache/nginx/fastcgi_temp",
		UWSGITempPath:      "/var/cache/nginx/uwsgi_temp",
		SCGITempPath:       "/var/cache/nginx/scgi_temp",
	}
	if got := paths(bi); !reflect.DeepEqual(got, want) {
		t.Errorf("ParseBuildInfo(official) =\n%+v\nwant\n%+v", got, want)
	}
	if got := bi.ConfigureArgs["--user"]; got != "nginx" {
		t.Errorf(`ConfigureArgs["--user"] = %q, want nginx`, got)
	}
	wantCC := "-g -O2 -ffile-prefix-map=/data/builder/debuild/nginx-1.27.3/debian/debuild-base/nginx-1.27.3=. -fstack-protector-strong -Wformat -Werror=format-security -Wp,-D_FORTIFY_SOURCE=2 -fPIC"
	if got := bi.ConfigureArgs["--with-cc-opt"]; got != wantCC {
		t.Errorf(`ConfigureArgs["--with-cc-opt"] = %q, want %q`, got, wantCC)
	}
	if _, ok := bi.ConfigureArgs["--with-http_ssl_module"]; !ok {
		t.Error(`ConfigureArgs lacks "--with-http_ssl_module"`)
	}
}

func TestParseBuildInfoDefaults(t *testing.T) {
	tests := []struct {
		name string
		text string
		want BuildInfo
	}{
		{
			name: "no configure arguments",
			text: "nginx version: nginx/1.25.0\nconfigure arguments:\n",
			want: BuildInfo{
				Version: "1.25.0", Prefix: "/usr/local/nginx",
				ConfPath: "/usr/local/nginx/conf/nginx.conf", PidPath: "/usr/local/nginx/logs/nginx.pid",
				ErrorLogPath: "/usr/local/nginx/logs/error.log", HTTPLogPath: "/usr/local/nginx/logs/access.log",
				LockPath: "/usr/local/nginx/logs/nginx.lock", ModulesPath: "/usr/local/nginx/modules",
				ClientBodyTempPath: "/usr/local/nginx/client_body_temp", ProxyTempPath: "/usr/local/nginx/proxy_temp",
				FastCGITempPath: "/usr/local/nginx/fastcgi_temp", UWSGITempPath: "/usr/local/nginx/uwsgi_temp",
				SCGITempPath: "/usr/local/nginx/scgi_temp",
			},
		},
		{
			name: "relative paths under a prefix, crlf, vendor suffix",
			text: "nginx version: nginx/1.18.0 (Ubuntu)\r\nconfigure arguments: --prefix=/opt/ngx --pid-path=run/n.pid \"--http-log-path=/var/log/a b.log\"\r\n",
			want: BuildInfo{
				Version: "1.18.0", Prefix: "/opt/ngx",
				ConfPath: "/opt/ngx/conf/nginx.conf", PidPath: "/opt/ngx/run/n.pid",
				ErrorLogPath: "/opt/ngx/logs/error.log", HTTPLogPath: "/var/log/a b.log",
				LockPath: "/opt/ngx/logs/nginx.lock", ModulesPath: "/opt/ngx/modules",
				ClientBodyTempPath: "/opt/ngx/client_body_temp", ProxyTempPath: "/opt/ngx/proxy_temp",
				FastCGITempPath: "/opt/ngx/fastcgi_temp", UWSGITempPath: "/opt/ngx/uwsgi_temp",
				SCGITempPath: "/opt/ngx/scgi_temp",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bi, err := ParseBuildInfo(strings.NewReader(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(bi); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseBuildInfo =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseBuildInfoNoVersion(t *testing.T) {
	_, err := ParseBuildInfo(strings.NewReader("configure arguments: --prefix=/x\n"))
	want := `parse nginx -V output: no "nginx version:" line`
	if err == nil || err.Error() != want {
		t.Errorf("ParseBuildInfo error = %v, want %q", err, want)
	}
}

func TestBuildInfoWithPrefix(t *testing.T) {
	bi, err := ParseBuildInfo(strings.NewReader("nginx version: nginx/1.22.1\nconfigure arguments: --prefix=/usr/share/nginx --pid-path=/run/nginx.pid --error-log-path=stderr\n"))
	if err != nil {
		t.Fatal(err)
	}
	moved := bi.WithPrefix("/srv/ngx")
	if moved.PidPath != "/run/nginx.pid" {
		t.Errorf("absolute PidPath moved with -p: %q", moved.PidPath)
	}
	if moved.ProxyTempPath != "/srv/ngx/proxy_temp" {
		t.Errorf("relative ProxyTempPath with -p = %q, want /srv/ngx/proxy_temp", moved.ProxyTempPath)
	}
	if moved.ErrorLogPath != "stderr" {
		t.Errorf("ErrorLogPath with -p = %q, want stderr", moved.ErrorLogPath)
	}
	if bi.ProxyTempPath != "/usr/share/nginx/proxy_temp" {
		t.Errorf("WithPrefix changed the original: %q", bi.ProxyTempPath)
	}
}

func TestBuildInfoAtLeast(t *testing.T) {
	tests := []struct {
		version             string
		major, minor, patch int
		want                bool
	}{
		{"1.22.1", 1, 19, 5, true},
		{"1.19.5", 1, 19, 5, true},
		{"1.19.4", 1, 19, 5, false},
		{"1.18.10", 1, 19, 5, false},
		{"2.0", 1, 19, 5, true},
		{"1.21.4.1", 1, 21, 4, true},
		{"", 1, 0, 0, false},
		{"1", 1, 0, 0, false},
		{"1.x.3", 1, 0, 0, false},
	}
	for _, tt := range tests {
		bi := BuildInfo{Version: tt.version}
		if got := bi.AtLeast(tt.major, tt.minor, tt.patch); got != tt.want {
			t.Errorf("BuildInfo{Version: %q}.AtLeast(%d, %d, %d) = %v, want %v", tt.version, tt.major, tt.minor, tt.patch, got, tt.want)
		}
	}
}

func TestReadBuildInfoInstalledNginx(t *testing.T) {
	path, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("nginx is not installed")
	}
	bi, err := ReadBuildInfo(path)
	if err != nil {
		t.Fatalf("ReadBuildInfo(%s): %v", path, err)
	}
	if bi.Version == "" || bi.ConfPath == "" {
		t.Errorf("ReadBuildInfo(%s) = %+v, want a version and a conf path", path, bi)
	}
}

func TestReadBuildInfoFailure(t *testing.T) {
	_, err := ReadBuildInfo("/bin/false")
	if err == nil || !strings.HasPrefix(err.Error(), "run /bin/false -V: ") {
		t.Errorf("ReadBuildInfo(/bin/false) error = %v, want run /bin/false -V: ...", err)
	}
}

func TestReadBuildInfoFromBinaryMatchesDashV(t *testing.T) {
	const nginx = "/usr/sbin/nginx"
	if _, err := os.Stat(nginx); err != nil {
		t.Skipf("needs Debian's nginx at %s: %v", nginx, err)
	}
	fromBinary, ok := readBuildInfoFromBinary(nginx)
	if !ok {
		t.Fatalf("readBuildInfoFromBinary(%s) found no nginx -V lines", nginx)
	}
	out, err := exec.Command(nginx, "-V").CombinedOutput()
	if err != nil {
		t.Fatalf("nginx -V: %v\n%s", err, out)
	}
	fromRun, err := ParseBuildInfo(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromBinary, fromRun) {
		t.Errorf("build information read from the binary = %+v, want nginx -V's %+v", fromBinary, fromRun)
	}
}

func TestReadBuildInfoFromBinarySkipsScripts(t *testing.T) {
	script := filepath.Join(t.TempDir(), "nginx")
	text := "#!/bin/sh\necho 'nginx version: nginx/1.27.3' >&2\necho 'configure arguments: --prefix=/x' >&2\n"
	if err := os.WriteFile(script, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := readBuildInfoFromBinary(script); ok {
		t.Errorf("readBuildInfoFromBinary(script) = ok, want false: only ELF binaries are read")
	}
}

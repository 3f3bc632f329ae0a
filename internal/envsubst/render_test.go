package envsubst

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// writeTree creates the files of spec under root. A value that starts with
// "->" makes a symlink to the rest of the value; a key ending in "/" makes a
// directory.
func writeTree(t *testing.T, root string, spec map[string]string) {
	t.Helper()
	for name, content := range spec {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, "/"):
			err := os.MkdirAll(path, 0o755)
			if err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(content, "->"):
			if err := os.Symlink(strings.TrimPrefix(content, "->"), path); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func testConfig(t *testing.T) Config {
	root := t.TempDir()
	runtime := filepath.Join(root, "run")
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(func(string) (string, bool) { return "", false }, runtime)
	if err != nil {
		t.Fatal(err)
	}
	c.TemplateDir = filepath.Join(root, "templates")
	return c
}

func readOutput(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRenderKeepsSubdirectories(t *testing.T) {
	c := testConfig(t)
	writeTree(t, c.TemplateDir, map[string]string{
		"default.conf.template":      "listen ${PORT}; root $uri;\n",
		"sites/api.conf.template":    "server_name $HOST;\n",
		"readme.txt":                 "not a template\n",
		"tcp.conf.stream-template":   "listen $PORT;\n",
		"sites/deep/x.conf.template": "x\n",
	})

	rendered, err := Render(c, []string{"PORT=8080", "HOST=example.org"})
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]string{
		filepath.Join(c.OutputDir, "default.conf"):      "listen 8080; root $uri;\n",
		filepath.Join(c.OutputDir, "sites/api.conf"):    "server_name example.org;\n",
		filepath.Join(c.OutputDir, "sites/deep/x.conf"): "x\n",
		filepath.Join(c.StreamOutputDir, "tcp.conf"):    "listen 8080;\n",
	}
	if len(rendered) != len(want) {
		t.Fatalf("Render rendered %d files (%v), want %d", len(rendered), rendered, len(want))
	}
	for _, r := range rendered {
		content, ok := want[r.Output]
		if !ok {
			t.Errorf("Render wrote %s, which no template maps to", r.Output)
			continue
		}
		if got := readOutput(t, r.Output); got != content {
			t.Errorf("%s = %q, want %q", r.Output, got, content)
		}
		if wantStream := strings.HasPrefix(r.Output, c.StreamOutputDir); r.Stream != wantStream {
			t.Errorf("%s: Stream = %t, want %t", r.Output, r.Stream, wantStream)
		}
	}
}

func TestRenderSkipsConfigMapInternals(t *testing.T) {
	c := testConfig(t)
	// The layout of a Kubernetes ConfigMap volume: the real files live in a
	// timestamped directory, ..data points to it, and each key is a symlink
	// through ..data.
	writeTree(t, c.TemplateDir, map[string]string{
		"..2024_01_01_00_00_00.123/default.conf.template": "listen $PORT;\n",
		"..data":                "->..2024_01_01_00_00_00.123",
		"default.conf.template": "->..data/default.conf.template",
	})

	rendered, err := Render(c, []string{"PORT=8080"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rendered) != 1 {
		t.Fatalf("Render = %v, want only default.conf", rendered)
	}
	if got := readOutput(t, filepath.Join(c.OutputDir, "default.conf")); got != "listen 8080;\n" {
		t.Errorf("default.conf = %q, want the rendered ConfigMap key", got)
	}
	if _, err := os.Stat(filepath.Join(c.OutputDir, "..data")); err == nil {
		t.Error("Render copied the ConfigMap's ..data directory into the output")
	}
}

func TestRenderFilter(t *testing.T) {
	c := testConfig(t)
	c.Filter = mustParseFilter(t, "^APP_")
	writeTree(t, c.TemplateDir, map[string]string{"a.conf.template": "$APP_PORT $HOME $host\n"})

	if _, err := Render(c, []string{"APP_PORT=80", "HOME=/root", "host=h"}); err != nil {
		t.Fatal(err)
	}
	if got := readOutput(t, filepath.Join(c.OutputDir, "a.conf")); got != "80 $HOME $host\n" {
		t.Errorf("a.conf = %q, want only APP_PORT substituted", got)
	}
}

func TestRenderWithoutTemplateDir(t *testing.T) {
	c := testConfig(t)
	rendered, err := Render(c, nil)
	if err != nil || rendered != nil {
		t.Fatalf("Render(no template dir) = %v, %v, want nothing and no error", rendered, err)
	}
	if _, err := os.Stat(c.OutputDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Render created %s although there was nothing to render", c.OutputDir)
	}
}

func TestRenderSymlinkLoop(t *testing.T) {
	c := testConfig(t)
	writeTree(t, c.TemplateDir, map[string]string{
		"a.conf.template": "a\n",
		"loop":            "->.",
	})
	rendered, err := Render(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rendered) != 1 {
		t.Errorf("Render = %v, want a.conf once despite the symlink loop", rendered)
	}
}

func TestRenderRejectsPlantedOutputSymlink(t *testing.T) {
	c := testConfig(t)
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, c.OutputDir); err != nil {
		t.Fatal(err)
	}
	writeTree(t, c.TemplateDir, map[string]string{"a.conf.template": "a\n"})

	if _, err := Render(c, nil); err == nil {
		t.Fatal("Render into a symlinked output directory succeeded, want an error")
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("Render wrote %v through the symlink", entries)
	}
}

func TestRenderModeFollowsUmask(t *testing.T) {
	old := unix.Umask(0o027)
	defer unix.Umask(old)

	c := testConfig(t)
	writeTree(t, c.TemplateDir, map[string]string{"a.conf.template": "a\n"})
	if _, err := Render(c, nil); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(c.OutputDir, "a.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o640 {
		t.Errorf("a.conf mode = %04o, want 0640 under umask 0027", got)
	}
}

func TestRenderReportsEveryFailure(t *testing.T) {
	c := testConfig(t)
	writeTree(t, c.TemplateDir, map[string]string{"a.conf.template": "", "b.conf.template": "b\n", "c.conf.template": ""})
	// Sparse files over the size limit fail to render, as root too.
	for _, name := range []string{"a.conf.template", "c.conf.template"} {
		if err := os.Truncate(filepath.Join(c.TemplateDir, name), maxTemplateSize+1); err != nil {
			t.Fatal(err)
		}
	}

	rendered, err := Render(c, nil)
	if len(rendered) != 1 || rendered[0].Output != filepath.Join(c.OutputDir, "b.conf") {
		t.Errorf("Render rendered %v, want b.conf", rendered)
	}
	for _, name := range []string{"a.conf.template", "c.conf.template"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Render error = %v, want it to name %s", err, name)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	env := map[string]string{}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }

	c, err := LoadConfig(lookup, "/tmp/nginit")
	if err != nil {
		t.Fatal(err)
	}
	if c.TemplateDir != "/etc/nginx/templates" || c.Suffix != ".template" || c.OutputDir != "/tmp/nginit/conf.d" ||
		c.StreamSuffix != ".stream-template" || c.StreamOutputDir != "/tmp/nginit/stream-conf.d" || c.Filter != nil {
		t.Errorf("LoadConfig(no variables) = %+v, want the defaults", c)
	}
	if c.RuntimeDir != "/tmp/nginit" {
		t.Errorf("RuntimeDir = %q, want /tmp/nginit", c.RuntimeDir)
	}

	env = map[string]string{envOutputDir: "", envSuffix: ".tpl", envFilter: "^APP_"}
	c, err = LoadConfig(lookup, "/tmp/nginit")
	if err != nil {
		t.Fatal(err)
	}
	if c.OutputDir != "/tmp/nginit/conf.d" {
		t.Errorf("OutputDir = %q, want the default for an empty variable", c.OutputDir)
	}
	if c.Suffix != ".tpl" || c.Filter.String() != "^APP_" {
		t.Errorf("LoadConfig = %+v, want suffix .tpl and filter ^APP_", c)
	}

	for name, value := range map[string]string{envFilter: "(", envOutputDir: "conf.d", envTemplateDir: "templates"} {
		env = map[string]string{name: value}
		_, err := LoadConfig(lookup, "/tmp/nginit")
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("LoadConfig(%s=%q) = %v, want an error naming the variable", name, value, err)
		}
	}
}

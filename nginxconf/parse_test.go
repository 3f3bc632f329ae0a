package nginxconf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// writeTree creates files under a temporary directory from a map of
// relative name to contents, and returns the directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(content, "@DIR@", dir)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// names lists directive names depth first, blocks in braces.
func names(directives []*Directive) string {
	var parts []string
	for _, d := range directives {
		s := d.Name
		if d.Block != nil {
			s += "{" + names(d.Block) + "}"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestParseFileStructure(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"nginx.conf": "user nobody;\nevents {}\nhttp {\n  server {\n    listen 8080;\n    location / { root /srv; }\n  }\n}\n",
	})
	cfg, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(cfg.Directives), "user events{} http{server{listen location{root}}}"; got != want {
		t.Errorf("ParseFile structure = %q, want %q", got, want)
	}

	user := cfg.Directives[0]
	if user.Block != nil {
		t.Errorf("simple directive Block = %v, want nil", user.Block)
	}
	if got := cfg.Directives[1].Block; got == nil || len(got) != 0 {
		t.Errorf("empty block = %#v, want empty non-nil", got)
	}
	listen := cfg.Directives[2].Block[0].Block[0]
	if listen.Line != 5 || !reflect.DeepEqual(listen.Args, []string{"8080"}) {
		t.Errorf("listen = line %d args %q, want line 5 args [8080]", listen.Line, listen.Args)
	}
	if cfg.ConfPrefix != dir {
		t.Errorf("ConfPrefix = %q, want %q", cfg.ConfPrefix, dir)
	}
}

func TestParseFileSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"close brace at top level", "a;\n\n}", `:3: unexpected "}"`},
		{"close brace after words", "a {\n b }", `:2: unexpected "}"`},
		{"lone semicolon", "a;\n;", `:2: unexpected ";"`},
		{"lone open brace", "{", `:1: unexpected "{"`},
		{"unclosed block", "http {\n a;\n", `:3: unexpected end of file, expecting "}"`},
		{"include without argument", "include;", `:1: invalid number of arguments in "include" directive`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"nginx.conf": tt.src})
			name := filepath.Join(dir, "nginx.conf")
			_, err := ParseFile(name, "")
			if err == nil || err.Error() != "parse "+name+tt.want {
				t.Errorf("ParseFile error = %v, want %q", err, "parse "+name+tt.want)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("ParseFile error is %T, want *SyntaxError", err)
			}
		})
	}
}

func TestParseFileMissingMainFile(t *testing.T) {
	_, err := ParseFile(filepath.Join(t.TempDir(), "nginx.conf"), "")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ParseFile of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestParseFileIncludes(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"nginx.conf": "http {\n" +
			"  include mime.types;\n" + // relative to the conf prefix
			"  include conf.d/*.conf;\n" + // glob
			"  include none.d/*.conf;\n" + // glob with no match
			"  include missing-one.conf;\n" +
			"  include @DIR@/missing-two.conf;\n" +
			"  after;\n" +
			"}\n",
		"mime.types":          "types { text/html html; }\n",
		"conf.d/a.conf":       "server { a; }\n",
		"conf.d/b.conf":       "server { b; }\n",
		"conf.d/.hidden.conf": "hidden;\n",
		"conf.d/c.conf.bak":   "bak;\n",
	})
	main := filepath.Join(dir, "nginx.conf")
	cfg, err := ParseFile(main, "")
	if cfg == nil {
		t.Fatalf("ParseFile returned no config: %v", err)
	}

	if got, want := names(cfg.Directives), "http{types{text/html} server{a} server{b} after}"; got != want {
		t.Errorf("expanded structure = %q, want %q", got, want)
	}

	var read []string
	for _, inc := range cfg.Includes {
		read = append(read, strings.TrimPrefix(inc.Path, dir+"/"))
	}
	if want := []string{"mime.types", "conf.d/a.conf", "conf.d/b.conf"}; !reflect.DeepEqual(read, want) {
		t.Errorf("Includes = %q, want %q", read, want)
	}
	if inc := cfg.Includes[1]; inc.File != main || inc.Line != 3 {
		t.Errorf("Includes[1] from %s:%d, want %s:3", inc.File, inc.Line, main)
	}

	missing := IncludeErrors(err)
	if len(missing) != 2 {
		t.Fatalf("IncludeErrors = %v, want 2 errors", missing)
	}
	for i, want := range []struct {
		path string
		line int
	}{{"missing-one.conf", 5}, {"missing-two.conf", 6}} {
		if missing[i].Path != filepath.Join(dir, want.path) || missing[i].Line != want.line || missing[i].File != main {
			t.Errorf("IncludeErrors[%d] = %s at %s:%d, want %s at line %d", i, missing[i].Path, missing[i].File, missing[i].Line, want.path, want.line)
		}
		if !errors.Is(missing[i], fs.ErrNotExist) {
			t.Errorf("IncludeErrors[%d] = %v, want fs.ErrNotExist", i, missing[i])
		}
	}
	wantMsg := "include at " + main + ":5: open " + filepath.Join(dir, "missing-one.conf") + ": no such file or directory"
	if missing[0].Error() != wantMsg {
		t.Errorf("IncludeError message = %q, want %q", missing[0].Error(), wantMsg)
	}
}

func TestParseFileIncludeConfPrefix(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"conf/nginx.conf":  "include extra.conf;\n",
		"other/extra.conf": "from_other;\n",
	})
	cfg, err := ParseFile(filepath.Join(dir, "conf/nginx.conf"), filepath.Join(dir, "other"))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(cfg.Directives); got != "from_other" {
		t.Errorf("include resolved against conf prefix: %q, want from_other", got)
	}
}

func TestParseFileIncludeLoop(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		wantLoop string // the loop's chain, with dir/ removed
		wantRead string // directive names read, in order
	}{
		{
			name:     "self include",
			files:    map[string]string{"nginx.conf": "include loop.conf;\n", "loop.conf": "x;\ninclude loop.conf;\n"},
			wantLoop: "loop.conf includes loop.conf",
			wantRead: "x",
		},
		{
			name:     "main file included again",
			files:    map[string]string{"nginx.conf": "a;\ninclude b.conf;\n", "b.conf": "b;\ninclude nginx.conf;\n"},
			wantLoop: "nginx.conf includes b.conf includes nginx.conf",
			wantRead: "a,b",
		},
		{
			name:     "glob matching the including file",
			files:    map[string]string{"nginx.conf": "include conf.d/*.conf;\n", "conf.d/a.conf": "a;\ninclude conf.d/*.conf;\n"},
			wantLoop: "conf.d/a.conf includes conf.d/a.conf",
			wantRead: "a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			cfg, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
			if !errors.Is(err, ErrIncludeLoop) {
				t.Fatalf("ParseFile = %v, want ErrIncludeLoop", err)
			}
			if errors.Is(err, ErrIncludeDepth) {
				t.Errorf("ParseFile = %v, want no ErrIncludeDepth for a loop", err)
			}
			errs := IncludeErrors(err)
			if len(errs) != 1 {
				t.Fatalf("IncludeErrors = %v, want one", errs)
			}
			if got := strings.ReplaceAll(errs[0].Err.Error(), dir+"/", ""); got != "include loop: "+tt.wantLoop {
				t.Errorf("loop error = %q, want %q", got, "include loop: "+tt.wantLoop)
			}
			if got := strings.ReplaceAll(names(cfg.Directives), " ", ","); got != tt.wantRead {
				t.Errorf("directives read = %q, want %q", got, tt.wantRead)
			}
		})
	}
}

func TestParseFileDeepIncludeChain(t *testing.T) {
	// nginx 1.22 accepts a chain of 300 files, each including the next.
	const depth = 300
	files := map[string]string{"nginx.conf": "include f1.conf;\n"}
	for i := 1; i <= depth; i++ {
		body := "d" + strconv.Itoa(i) + ";\n"
		if i < depth {
			body += "include f" + strconv.Itoa(i+1) + ".conf;\n"
		}
		files["f"+strconv.Itoa(i)+".conf"] = body
	}
	dir := writeTree(t, files)
	cfg, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
	if err != nil {
		t.Fatalf("ParseFile of a %d-file include chain = %v, want nil", depth, err)
	}
	if got := len(cfg.Directives); got != depth {
		t.Errorf("directives = %d, want %d", got, depth)
	}
}

func TestParseFileIncludeDepthLimit(t *testing.T) {
	files := map[string]string{"nginx.conf": "include f1.conf;\n"}
	for i := 1; i <= maxIncludeDepth+1; i++ {
		files["f"+strconv.Itoa(i)+".conf"] = "include f" + strconv.Itoa(i+1) + ".conf;\n"
	}
	dir := writeTree(t, files)
	_, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
	if !errors.Is(err, ErrIncludeDepth) || errors.Is(err, ErrIncludeLoop) {
		t.Errorf("ParseFile of a chain deeper than %d = %v, want ErrIncludeDepth and no loop", maxIncludeDepth, err)
	}
}

func TestParseFileIncludeSyntaxErrorNamesIncludedFile(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"nginx.conf": "include bad.conf;\nnever;\n",
		"bad.conf":   "ok;\n}\n",
	})
	_, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
	want := "parse " + filepath.Join(dir, "bad.conf") + `:2: unexpected "}"`
	if err == nil || err.Error() != want {
		t.Errorf("ParseFile error = %v, want %q", err, want)
	}
}

func TestParseFileIncludeDirectory(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"nginx.conf":   "include sites/*;\n",
		"sites/a/x":    "x;\n",
		"sites/b.conf": "b;\n",
	})
	cfg, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
	if got := names(cfg.Directives); got != "b" {
		t.Errorf("directives = %q, want b", got)
	}
	if errs := IncludeErrors(err); len(errs) != 1 || errs[0].Path != filepath.Join(dir, "sites/a") {
		t.Errorf("IncludeErrors = %v, want one for the directory sites/a", errs)
	}
}

func TestParseFileIncludeFIFO(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"nginx.conf":    "include conf.d/*.conf;\n",
		"conf.d/b.conf": "b;\n",
	})
	fifo := filepath.Join(dir, "conf.d/a.conf")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}

	// Without O_NONBLOCK the open blocks until a writer opens the FIFO.
	done := make(chan error, 1)
	var cfg *Config
	go func() {
		var err error
		cfg, err = ParseFile(filepath.Join(dir, "nginx.conf"), "")
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		f, _ := os.OpenFile(fifo, os.O_WRONLY, 0) // release the blocked open
		f.Close()
		t.Fatal("ParseFile blocked on a FIFO matched by an include glob")
	}
	if got := names(cfg.Directives); got != "b" {
		t.Errorf("directives = %q, want b", got)
	}
	errs := IncludeErrors(err)
	if len(errs) != 1 || errs[0].Path != fifo || !errors.Is(errs[0], ErrNotRegular) {
		t.Errorf("IncludeErrors = %v, want one ErrNotRegular for %s", errs, fifo)
	}
}

func TestReadConfFileTotalBudget(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.conf": "a;\n", "b.conf": "b;\n"})
	budget := int64(5)
	if _, err := readConfFile(filepath.Join(dir, "a.conf"), &budget); err != nil {
		t.Fatalf("readConfFile(a.conf) with 5 bytes left: %v", err)
	}
	if budget != 2 {
		t.Errorf("budget after a 3-byte file = %d, want 2", budget)
	}
	_, err := readConfFile(filepath.Join(dir, "b.conf"), &budget)
	if !errors.Is(err, ErrTotalTooLarge) {
		t.Errorf("readConfFile(b.conf) with 2 bytes left: error = %v, want ErrTotalTooLarge", err)
	}
	if !strings.Contains(err.Error(), "64 MiB in total") {
		t.Errorf("error %q does not name the limit", err)
	}
}

func TestParseParam(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    string
		wantErr string
	}{
		{"two directives", "daemon off; pid /tmp/x.pid;", "daemon pid", ""},
		{"empty", "", "", ""},
		{"include left as is", "include x.conf;", "include", ""},
		{"missing semicolon", "daemon off", "", `parse command line -g:1: unexpected end of parameter, expecting ";"`},
		{"block rejected", "events {}", "", "parse command line -g:1: block directives are not supported in -g option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseParam(tt.text)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("ParseParam(%q) error = %v, want %q", tt.text, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseParam(%q): %v", tt.text, err)
			}
			if names(got) != tt.want {
				t.Errorf("ParseParam(%q) = %q, want %q", tt.text, names(got), tt.want)
			}
			for _, d := range got {
				if d.File != "command line -g" {
					t.Errorf("directive %s File = %q, want command line -g", d.Name, d.File)
				}
			}
		})
	}
}

func TestParseFileIncludeUncleanGlob(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"nginx.conf":        "include @DIR@//conf.d/./*.conf;\n",
		"conf.d/a.conf":     "a;\n",
		"conf.d/.skip.conf": "skip;\n",
	})
	cfg, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := names(cfg.Directives); got != "a" {
		t.Errorf("directives = %q, want a", got)
	}
}

func TestParseFileTooLarge(t *testing.T) {
	dir := writeTree(t, map[string]string{"nginx.conf": "include big.conf;\nafter;\n"})
	big := strings.Repeat("# padding line\n", maxFileSize/15+1)
	if err := os.WriteFile(filepath.Join(dir, "big.conf"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
	if !errors.Is(err, ErrFileTooLarge) {
		t.Errorf("ParseFile error = %v, want ErrFileTooLarge", err)
	}
	if got := names(cfg.Directives); got != "after" {
		t.Errorf("directives = %q, want after", got)
	}
}

// TestParseFileInstalledDebianConfig parses the configuration of the nginx
// package installed on this machine, when there is one.
func TestParseFileInstalledDebianConfig(t *testing.T) {
	const name = "/etc/nginx/nginx.conf"
	if _, err := os.Stat(name); err != nil {
		t.Skipf("no installed nginx configuration: %v", err)
	}
	cfg, err := ParseFile(name, "")
	if err != nil {
		t.Fatalf("ParseFile(%s): %v", name, err)
	}
	if lastDirect(cfg.Directives, "http") == nil {
		t.Errorf("ParseFile(%s) has no http block: %s", name, names(cfg.Directives))
	}
}

func TestParseFileLuaBlock(t *testing.T) {
	tests := []struct {
		name string
		lua  string
	}{
		{"brace in long string", `-- don't panic
    ngx.say([[ } ]])`},
		{"brace in quoted strings", `ngx.say("}\"}", '}\'{')`},
		{"brace in line comment", "local t = {} -- }\n    ngx.say(#t)"},
		{"long comment", "--[==[ } ]] } ]==] ngx.say(1)"},
		{"leveled long string", "ngx.say([=[ ]] } ]=])"},
		{"nested tables", "local t = { a = { b = 1 } }\n    ngx.say(t.a.b)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "http {\n  server {\n    location / {\n      content_by_lua_block {\n    " + tt.lua + "\n      }\n    }\n    listen 8080;\n  }\n}\n"
			dir := writeTree(t, map[string]string{"nginx.conf": src})
			cfg, err := ParseFile(filepath.Join(dir, "nginx.conf"), "")
			if err != nil {
				t.Fatalf("ParseFile(%q) error = %v", src, err)
			}
			if got, want := names(cfg.Directives), "http{server{location{content_by_lua_block{}} listen}}"; got != want {
				t.Errorf("ParseFile structure = %q, want %q", got, want)
			}
			listen := cfg.Directives[0].Block[0].Block[1]
			if wantLine := strings.Count(src[:strings.Index(src, "listen")], "\n") + 1; listen.Line != wantLine {
				t.Errorf("listen line = %d, want %d", listen.Line, wantLine)
			}
		})
	}
}

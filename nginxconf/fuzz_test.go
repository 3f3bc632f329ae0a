package nginxconf

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzTokenize(f *testing.F) {
	for _, seed := range []string{
		"user www-data;\nevents { worker_connections 768; }\n",
		`a "b\"c" 'd\'e' f\ g;`,
		"set $a ${b}c; if ($a = \"x\") { return 200 a}; }",
		"a # comment\r\nb;",
		`"unterminated`,
		"a \"b\"c;",
		strings.Repeat("x", confBuffer+1) + ";",
		"}{;",
		"location / { content_by_lua_block { -- don't panic\n ngx.say([[ } ]]) } }",
		"init_by_lua_block { --[==[ } ]==] local s = \"}\" ",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		tokens, err := Tokenize(src, "fuzz.conf")
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, tok := range tokens {
			if tok.Line < 1 || tok.Line > lines {
				t.Fatalf("token %q on line %d of a %d-line input", tok.Text, tok.Line, lines)
			}
		}
		if err != nil && !strings.HasPrefix(err.Error(), "parse fuzz.conf:") {
			t.Fatalf("error without file:line: %v", err)
		}

		// The parser must never panic on any token stream.
		p := &parser{noInclude: true}
		_, _ = p.parse(newLexer(src, "fuzz.conf", false), 0)
	})
}

func FuzzParseCommandLine(f *testing.F) {
	for _, seed := range []string{
		"-g\x00daemon off;",
		"-c/etc/nginx/nginx.conf\x00-p\x00/srv/",
		"-tq\x00-e\x00stderr",
		"-s\x00reload",
		"-g",
		"-x",
		"-gpid /x; # c",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, args string) {
		argv := append([]string{"nginx"}, strings.Split(args, "\x00")...)
		cmd, err := ParseCommandLine(argv)
		if err != nil {
			return
		}
		if cmd.ParamsIndex >= len(argv) {
			t.Fatalf("ParamsIndex %d out of range for %q", cmd.ParamsIndex, argv)
		}

		// Whatever parses must still parse after composition, with pid and
		// daemon set exactly once.
		out, _, err := ComposeCommand(argv, nil, "/tmp/nginit", BuildInfo{Version: "1.22.1"}, false)
		if err != nil {
			t.Fatalf("ComposeCommand(%q): %v", argv, err)
		}
		again, err := ParseCommandLine(out)
		if err != nil {
			t.Fatalf("composed %q does not parse: %v", out, err)
		}
		for _, name := range []string{"pid", "daemon"} {
			n := 0
			for _, d := range again.Directives {
				if d.Name == name {
					n++
				}
			}
			if n == 0 {
				t.Fatalf("composed %q lacks %s", out, name)
			}
			if n > 1 && strings.Count(cmd.Params, name) < n {
				t.Fatalf("composed %q sets %s %d times", out, name, n)
			}
		}
	})
}

func FuzzParseBuildInfo(f *testing.F) {
	for _, seed := range []string{
		"nginx version: nginx/1.22.1\nconfigure arguments: --prefix=/usr/share/nginx --error-log-path=stderr --with-cc-opt='-g -O2'\n",
		"nginx version: openresty/1.21.4.1\n",
		"nginx version:\nconfigure arguments: \"--prefix=/a b\" --pid-path=run\\ x.pid",
		"configure arguments: --prefix",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		bi, err := ParseBuildInfo(strings.NewReader(text))
		if err != nil {
			return
		}
		_ = bi.AtLeast(1, 19, 5)
		if bi.Prefix == "" || bi.ConfPath == "" || bi.PidPath == "" {
			t.Fatalf("ParseBuildInfo(%q) left a path empty: %+v", text, bi)
		}
		if !utf8.ValidString(text) {
			return
		}
		moved := bi.WithPrefix("/other")
		if moved.Prefix != "/other" {
			t.Fatalf("WithPrefix did not set Prefix: %+v", moved)
		}
	})
}

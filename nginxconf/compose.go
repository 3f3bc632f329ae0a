package nginxconf

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// PIDFileName is the name of the pid file ComposeCommand places in the
// runtime directory.
const PIDFileName = "nginx.pid"

// ComposeCommand returns argv with what nginx needs to run under nginit, and
// a description of each addition for the caller to log:
//
//   - "pid <runtimeDir>/nginx.pid;" when neither the configuration nor the
//     -g text sets pid, so the pid file lands in a writable directory;
//   - "daemon off;" when neither sets daemon, so nginx stays in the
//     foreground as nginit's child;
//   - "-e stderr" when the startup error log is a file that is not writable
//     (errorLogWritable is false), argv has no -e, and bi is nginx 1.19.5 or
//     newer, the first version with -e.
//
// nginx rejects a directive that is set twice, so nothing the configuration
// or the -g text already sets is added: a "daemon on;" in the configuration
// stays, and the caller should report it. The directives are merged into
// the last -g argument, which is the one nginx uses: its text is kept byte
// for byte and the additions follow it. Each of extra, a whole directive
// such as "worker_processes 2;", is added after them; the caller checks
// that the configuration lacks it. argv[0] may be "nginx" or a path,
// and argv itself is not modified. runtimeDir must be absolute.
func ComposeCommand(argv []string, plan *Plan, runtimeDir string, bi BuildInfo, errorLogWritable bool, extra ...string) ([]string, []string, error) {
	if !filepath.IsAbs(runtimeDir) {
		return nil, nil, fmt.Errorf("compose nginx command: runtime dir %q is not absolute", runtimeDir)
	}
	cmd, err := ParseCommandLine(argv)
	if err != nil {
		return nil, nil, fmt.Errorf("compose nginx command: %w", err)
	}

	facts := Facts{}
	if plan != nil {
		facts = plan.Facts
	}
	var params []string
	if facts.PID == nil && lastDirect(cmd.Directives, "pid") == nil {
		params = append(params, "pid "+filepath.Join(runtimeDir, PIDFileName)+";")
	}
	if facts.Daemon == nil && lastDirect(cmd.Directives, "daemon") == nil {
		params = append(params, "daemon off;")
	}
	params = append(params, extra...)

	out := slices.Clone(argv)
	var added []string
	if len(params) > 0 {
		text := appendParams(cmd.Params, params)
		switch {
		case cmd.ParamsIndex < 0:
			out = append(out, "-g", text)
		case cmd.ParamsGlued:
			out[cmd.ParamsIndex] = "-g" + text
		default:
			out[cmd.ParamsIndex] = text
		}
		for _, p := range params {
			added = append(added, "-g "+p)
		}
	}

	startupLog := Locate(cmd, bi).ErrorLog
	if plan != nil {
		startupLog = plan.StartupErrorLog
	}
	if !errorLogWritable && !cmd.ErrorLogSet && startupLog != Stderr && bi.AtLeast(1, 19, 5) {
		out = slices.Insert(out, 1, "-e", Stderr)
		added = append(added, "-e "+Stderr)
	}
	return out, added, nil
}

// appendParams appends directives to the -g text existing, keeping existing
// byte for byte. Separators are added only where needed: a newline after a
// trailing comment, ";" after an unterminated directive, and a space unless
// the text already ends in whitespace.
func appendParams(existing string, params []string) string {
	addition := strings.Join(params, " ")
	if strings.TrimSpace(existing) == "" {
		return existing + addition
	}

	lx := newLexer([]byte(existing), commandLineSource, true)
	pending := false
	for {
		tok, err := lx.next()
		if err != nil {
			// Any error but the end of the input is a word cut off by it.
			pending = pending || err != io.EOF
			break
		}
		pending = tok.Kind == TokenWord
	}

	text := existing
	if strings.Contains(existing[lx.end:], "#") {
		text += "\n"
	}
	if pending {
		text += ";"
	}
	if !strings.ContainsAny(text[len(text)-1:], " \t\r\n") {
		text += " "
	}
	return text + addition
}

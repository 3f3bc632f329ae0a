package preflight

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/nginit/nginit/nginxconf"
)

// checkConfig reports what the configuration text itself gets wrong for a
// non-root nginx under nginit.
func checkConfig(r *Report, in Input) {
	for _, inc := range nginxconf.IncludeErrors(in.ConfigErr) {
		checkInclude(r, in.Process, inc)
	}
	if syntax := syntaxError(in); syntax != nil {
		// nginit's parser is not nginx's: a module may read its blocks
		// with a lexer of its own, so nginx may well start.
		r.add(Finding{
			Check:    "config.syntax",
			Severity: Warning,
			Subject:  fmt.Sprintf("%s:%d", syntax.File, syntax.Line),
			Message: fmt.Sprintf("nginit could not parse %s:%d (%s), so the checks that depend on the configuration were skipped; nginx -t decides whether the configuration is valid",
				syntax.File, syntax.Line, syntax.Msg),
			Fix: "run nginx -t; if nginx reports the same error, correct the configuration",
		})
		return
	}

	for _, dup := range in.Plan.Duplicates {
		param := strings.Join(append([]string{dup.Param.Name}, dup.Param.Args...), " ") + ";"
		r.add(Finding{
			Check:    "config.duplicate",
			Severity: Error,
			Subject:  fmt.Sprintf("%s (%s and command line -g)", dup.Name, dup.Config.Source()),
			Message: fmt.Sprintf("set both in the command's -g %q and in the configuration; nginx reads -g first and then stops at the configuration's one with: %q directive is duplicate",
				param, dup.Name),
			Fix: fmt.Sprintf("remove %s from the configuration at %s, or remove %q from the -g argument of the image's CMD", dup.Name, dup.Config.Source(), param),
		})
	}

	facts := in.Plan.Facts
	if d := facts.User; d != nil {
		r.add(Finding{
			Check:    "config.user",
			Severity: Info,
			Subject:  "user directive (" + d.Source() + ")",
			Message:  `harmless: nginx ignores "user" when not started as root and logs a [warn] about it; it is not the cause of any failure`,
			Fix:      "delete the line to silence nginx's warning",
		})
	}
	if d := facts.Daemon; d != nil && len(d.Args) > 0 && strings.EqualFold(d.Args[0], "on") {
		r.add(Finding{
			Check:    "config.daemon",
			Severity: Error,
			Subject:  "daemon on (" + d.Source() + ")",
			Message:  "nginx would fork into the background and leave nginit with nothing to supervise",
			Fix:      "delete the daemon directive; nginit then adds daemon off; itself",
		})
	}
	if d := facts.ClientBodyInFileOnly; d != nil && len(d.Args) > 0 && !strings.EqualFold(d.Args[0], "off") {
		r.add(Finding{
			Check:    "config.umask-body-files",
			Severity: Info,
			Subject:  "client_body_in_file_only (" + d.Source() + ")",
			Message:  "nginx creates request-body files with mode 0600 whatever the umask, so a backend running as another uid cannot read them",
			Fix:      "run the backend with the same uid as nginx, or pass the body in the request instead of the file name",
		})
	}
}

// syntaxError returns the *nginxconf.SyntaxError of in.ConfigErr, or nil.
func syntaxError(in Input) *nginxconf.SyntaxError {
	var syntax *nginxconf.SyntaxError
	if errors.As(in.ConfigErr, &syntax) {
		return syntax
	}
	return nil
}

// checkInclude reports an include whose file nginit could not read, by
// its cause: missing, unreadable, a loop, or past a parser limit.
func checkInclude(r *Report, p Process, inc *nginxconf.IncludeError) {
	source := fmt.Sprintf("%s:%d", inc.File, inc.Line)
	subject := fmt.Sprintf("include %s (%s)", inc.Path, source)
	switch {
	case errors.Is(inc.Err, fs.ErrNotExist):
		r.add(Finding{
			Check:    "config.missing-include",
			Severity: Error,
			Subject:  subject,
			Message:  fmt.Sprintf("%v%s", inc.Err, hiddenBy(inc.Path)),
			Fix:      "add the file to the image; a ConfigMap mounted over a directory hides the image's files there, so mount single keys with subPath",
		})
	case errors.Is(inc.Err, fs.ErrPermission):
		// The file exists, so the problem is its owner and mode, or a
		// directory above it, as for any other file nginx reads.
		before := len(r.Findings)
		checkReadable(r, p, nginxconf.Read{Kind: nginxconf.ReadInclude, Path: inc.Path, Directive: "include", Source: source})
		if len(r.Findings) == before {
			// The parse ran as another identity than p, which can read it.
			r.add(Finding{Check: "read.unreadable", Severity: Error, Subject: subject, Message: inc.Err.Error(),
				Fix: "make the file readable by the runtime user, and every directory above it searchable"})
		}
	case errors.Is(inc.Err, nginxconf.ErrIncludeLoop):
		r.add(Finding{
			Check:    "config.include-loop",
			Severity: Error,
			Subject:  subject,
			Message:  inc.Err.Error() + `; nginx follows the loop until it fails with "(24: Too many open files)"`,
			Fix:      fmt.Sprintf("remove the include at %s, or narrow its glob so that it does not match a file that is already including it", source),
		})
	case errors.Is(inc.Err, nginxconf.ErrIncludeDepth), errors.Is(inc.Err, nginxconf.ErrTooManyFiles), errors.Is(inc.Err, nginxconf.ErrTotalTooLarge):
		r.add(Finding{
			Check:    "config.include-limit",
			Severity: Warning,
			Subject:  subject,
			Message:  inc.Err.Error() + ": nginit did not read this file, so the paths it sets are not checked",
			Fix:      "flatten the include chain, or include fewer files",
		})
	default:
		r.add(Finding{
			Check:    "config.include-invalid",
			Severity: Error,
			Subject:  subject,
			Message:  inc.Err.Error(),
			Fix:      "point the include at a regular configuration file",
		})
	}
}

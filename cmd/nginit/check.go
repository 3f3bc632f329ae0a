package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/nginit/nginit/internal/envsubst"
	"github.com/nginit/nginit/preflight"
)

// runCheck implements `nginit check`: the start path's preflight, printed in
// full, without starting nginx. It exits 0 when nginx could start and
// exitPreflight when it could not. It prepares the same directories a start
// would, so a check and a start agree; as root it prepares nothing.
func runCheck(args []string, log *logger) int {
	s, err := loadSettings()
	if err != nil {
		log.Errorf("%v; see nginit --help", err)
		return exitUsage
	}
	fs := s.flagSet("nginit check")
	format := fs.String("format", "text", "report format: text or json")
	err = parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(os.Stderr, "Usage: nginit check [flags] [--format text|json] [--] [COMMAND [ARG...]]\n\n"+
			"Print every preflight finding for COMMAND (default: nginx) without starting it.\n"+
			"Exit 0 when nginx could start, %d when it could not, %d on invalid usage.\n"+
			"The flags and NGINIT_* variables are those of nginit --help; the preflight uses\n"+
			"--runtime-dir, --umask, --strict, --tmpfs, --walk-limit and --worker-processes.\n", exitPreflight, exitUsage)
		return 0
	}
	if err == nil {
		err = s.validate("--")
	}
	if err == nil && *format != "text" && *format != "json" {
		err = &settingError{Name: "--format", Value: *format, Err: errors.New("want text or json")}
	}
	command := fs.Args()
	if len(command) == 0 {
		command = defaultCommand
	}
	if err == nil && !isNginx(command) {
		err = fmt.Errorf("nginit check reads nginx's configuration, and %q is not nginx", command[0])
	}
	if err != nil {
		log.Errorf("%v; see nginit check --help", err)
		return exitUsage
	}
	log.debug = s.LogLevel == "debug"

	// Plain root may run the check, which then reports root as an error. A
	// setuid or setgid nginit would read files for its caller with
	// privileges the caller lacks, so it is rejected.
	id, err := readIdentity(true)
	if err != nil {
		log.Errorf("%v", err)
		return exitRoot
	}
	setUmask(int(s.Umask))

	var rendered []envsubst.Rendered
	var setupErrs []preflight.Finding
	if id.EUID != 0 {
		if err := prepareRuntimeDir(s.RuntimeDir); err != nil {
			setupErrs = append(setupErrs, preflight.Finding{Check: "write.runtime-dir", Severity: preflight.Error,
				Subject: "runtime directory " + s.RuntimeDir, Message: err.Error(),
				Fix: "set NGINIT_RUNTIME_DIR to a path on a writable mount, such as /tmp/nginit with docker run --tmpfs /tmp"})
		} else if pid, running := liveNginit(s.RuntimeDir); running {
			// The running nginx includes the rendered files: rendering them
			// again with this process's environment would change what its
			// next reload loads.
			setupErrs = append(setupErrs, preflight.Finding{Check: "templates.in-use", Severity: preflight.Info,
				Subject: "templates", Message: fmt.Sprintf("not rendered again: the nginit running as pid %d owns the rendered files in %s", pid, s.RuntimeDir)})
		} else if rendered, err = renderTemplates(s, log); err != nil {
			setupErrs = append(setupErrs, preflight.Finding{Check: "templates.render", Severity: preflight.Error,
				Subject: "templates", Message: err.Error(), Fix: "correct the template or the NGINX_ENVSUBST_* variables"})
		}
	}

	setup, err := loadNginx(command)
	if errors.Is(err, errNginxNotExecutable) {
		log.Errorf("%v", err)
		return exitNotExecutable
	}
	if errors.Is(err, errNginxNotFound) {
		log.Errorf("%v; check the command and PATH", err)
		return exitNotFound
	}
	if err != nil {
		log.Errorf("%v", err)
		return exitPreflight
	}
	report := runPreflight(setup, id, s, rendered, setupErrs...)

	if *format == "json" {
		err = report.WriteJSON(os.Stdout)
	} else {
		err = report.WriteText(os.Stdout)
	}
	if err != nil {
		log.Errorf("write report: %v", err)
		return exitInternal
	}
	if report.Summary.Failed {
		return exitPreflight
	}
	return 0
}

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/nginit/nginit/fsprep"
	"github.com/nginit/nginit/initd"
	"github.com/nginit/nginit/internal/envsubst"
	"github.com/nginit/nginit/internal/filecaps"
	"github.com/nginit/nginit/nginxconf"
	"github.com/nginit/nginit/preflight"
)

// runtimeDirMode is the mode of nginit's runtime directory: only the
// runtime user needs it.
const runtimeDirMode = 0o700

// prepareRuntimeDir creates nginit's runtime directory 0700 and owned by the
// runtime user. It must not be shared: the pid file lives there, and a
// directory another uid owns or planted as a symbolic link is rejected. An
// existing directory with another mode is rejected too, rather than
// chmodded: NGINIT_RUNTIME_DIR=/tmp would otherwise make /tmp 0700. A
// directory left 0700 by an earlier start in the same volume is reused.
func prepareRuntimeDir(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() && fi.Mode().Perm() != runtimeDirMode {
		return fmt.Errorf("prepare runtime directory %s: it exists with mode %s, and nginit uses only a directory it creates %04o; "+
			"set NGINIT_RUNTIME_DIR to a path that does not exist yet, such as /tmp/nginit", path, fsprep.FormatMode(fi.Mode()), runtimeDirMode)
	}
	_, err := fsprep.Prepare(fsprep.Dir{Path: path, Mode: runtimeDirMode, Purpose: "runtime directory"})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fsprep.ErrSymlink), errors.Is(err, fsprep.ErrForeignOwner), errors.Is(err, fsprep.ErrWorldWritable):
		return fmt.Errorf("%w; remove it, or set NGINIT_RUNTIME_DIR to a path that does not exist yet on a writable mount", err)
	default:
		return fmt.Errorf("%w; NGINIT_RUNTIME_DIR must be on a writable mount: docker run --tmpfs /tmp, or an emptyDir volume at /tmp in Kubernetes", err)
	}
}

// preflightProcess converts the identity initd read into preflight's terms.
func preflightProcess(id initd.Identity) preflight.Process {
	return preflight.Process{
		UID:        id.EUID,
		GID:        id.EGID,
		Groups:     id.Groups,
		IsPID1:     id.IsPID1,
		NoNewPrivs: id.NoNewPrivs,
		CapEff:     id.CapEff,
		CapBnd:     id.CapBnd,
		CapAmb:     id.CapAmb,
	}
}

// runPreflight runs every check for setup as the identity id. rendered are
// the templates nginit rendered, which the configuration must include.
func runPreflight(setup *nginxSetup, id initd.Identity, s settings, rendered []envsubst.Rendered, extra ...preflight.Finding) *preflight.Report {
	process := preflightProcess(id)
	// A read error leaves the zero set, which matches the start: initd then
	// sets no_new_privs, as for a binary without file capabilities.
	fileCaps, _ := filecaps.Read(setup.Path)
	if setup.Plan == nil {
		// The main configuration file could not be read, so nothing that
		// depends on its content can be checked.
		extra = append(extra, preflight.Finding{
			Check:    "config.unreadable",
			Severity: preflight.Error,
			Subject:  "nginx configuration",
			Message:  setup.ConfigErr.Error(),
			Fix:      "give nginx a configuration file the runtime user can read, with -c or at the compile-time --conf-path",
		})
		return preflight.Run(preflight.Input{Process: process, NginxFileCaps: fileCaps, Extra: extra, Strict: s.Strict})
	}
	// After a syntax error the plan covers only part of the configuration:
	// a missing include or worker_processes may be in the unread part, so
	// neither the include check nor the worker sizing can be trusted.
	var syntaxErr *nginxconf.SyntaxError
	partial := errors.As(setup.ConfigErr, &syntaxErr)

	if err := checkTemplatesIncluded(setup, rendered); err != nil && !partial {
		extra = append(extra, preflight.Finding{
			Check:    "templates.not-included",
			Severity: preflight.Error,
			Subject:  setup.Plan.ConfFile,
			Message:  err.Error(),
			Fix:      "include the rendered directory in the http block, as the error says",
		})
	}
	// The startup error log is opened once, here, and composeCommand reuses
	// the result for -e stderr.
	setup.ErrorLogToStderr = errorLogToStderr(setup)

	directive, warning := sizeWorkers(setup, s)
	if !partial {
		setup.WorkerDirective = directive
	}
	if warning != "" && !partial {
		extra = append(extra, preflight.Finding{
			Check:    "config.worker-processes",
			Severity: preflight.Warning,
			Subject:  "worker_processes (" + setup.Plan.Facts.WorkerProcesses.Source() + ")",
			Message:  warning,
			Fix:      "set worker_processes to the number above, or remove it so that nginit sets it",
		})
	}
	return preflight.Run(preflight.Input{
		Extra:                 extra,
		ErrorLogToStderr:      setup.ErrorLogToStderr,
		Process:               process,
		NginxFileCaps:         fileCaps,
		Plan:                  setup.Plan,
		ConfigErr:             setup.ConfigErr,
		Tmpfs:                 preflight.TmpfsPolicy(s.Tmpfs),
		WalkLimit:             s.WalkLimit,
		Strict:                s.Strict,
		UnprivilegedPortStart: -1,
	})
}

// logReport logs the report line by line. Information findings are logged
// only at debug level, and a report of information alone is not logged.
func logReport(log *logger, report *preflight.Report) {
	shown := *report
	if !log.debug {
		shown.Findings = nil
		for _, f := range report.Findings {
			if f.Severity != preflight.Info {
				shown.Findings = append(shown.Findings, f)
			}
		}
		if len(shown.Findings) == 0 {
			return
		}
	}
	var b bytes.Buffer
	shown.WriteText(&b)
	for line := range strings.Lines(b.String()) {
		log.Infof("%s", strings.TrimRight(line, "\n"))
	}
}

// composeCommand adds to nginx's command line what the configuration lacks
// and logs each addition. Other commands are returned unchanged.
func composeCommand(setup *nginxSetup, argv []string, s settings, log *logger) ([]string, error) {
	if setup == nil {
		return argv, nil
	}
	writable := !setup.ErrorLogToStderr
	var extra []string
	if setup.WorkerDirective != "" {
		extra = append(extra, setup.WorkerDirective)
	}
	composed, added, err := nginxconf.ComposeCommand(argv, setup.Plan, s.RuntimeDir, setup.Build, writable, extra...)
	if err != nil {
		return nil, err
	}
	for _, a := range added {
		log.Infof("added to nginx's command line: %s", a)
	}
	return composed, nil
}

// errorLogToStderr reports whether nginit passes -e stderr: the startup
// error log is not writable, nginx is 1.19.5 or newer (the first with -e),
// and the command has no -e of its own. nginxconf.ComposeCommand makes the
// same decision from the same facts.
func errorLogToStderr(setup *nginxSetup) bool {
	return !preflight.StartupErrorLogWritable(setup.Plan) && setup.Build.AtLeast(1, 19, 5) && !setup.Command.ErrorLogSet
}

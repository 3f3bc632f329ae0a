package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/nginit/nginit/initd"
)

// run is nginit's whole life, step by step. It returns the exit status.
func run(args []string) int {
	// Subscribe to signals before anything else, so a SIGTERM or SIGQUIT that
	// arrives while nginit starts is a stop request and never Go's default
	// action (exit 2 with a goroutine dump for SIGQUIT).
	sigs := initd.Notify()

	log := &logger{out: os.Stderr}

	if len(args) > 0 {
		subcommands := map[string]func([]string) int{
			"version":   func([]string) int { fmt.Println("nginit", version); return 0 },
			"--version": func([]string) int { fmt.Println("nginit", version); return 0 },
			"check":     func(args []string) int { return runCheck(args, log) },
			"health":    runHealth,
			"reload":    runReload,
		}
		if sub, ok := subcommands[args[0]]; ok {
			// A subcommand is a short-lived tool, not PID 1: Ctrl-C and
			// SIGTERM must end it the usual way.
			sigs.Stop()
			return sub(args[1:])
		}
	}
	return start(sigs, args, log)
}

// invocation is a parsed `nginit [flags] [--] COMMAND [ARG...]`.
type invocation struct {
	settings settings
	command  []string
}

// defaultCommand runs when nginit is given no command. nginit adds
// `daemon off;` and the pid path to it when the configuration lacks them.
var defaultCommand = []string{"nginx"}

// parseInvocation reads the NGINIT_* variables, then the flags, which win.
// Flag parsing stops at the first argument that is not a flag, so nginx's
// own flags after the command name are passed through untouched.
func parseInvocation(args []string, output io.Writer) (invocation, error) {
	s, err := loadSettings()
	if err != nil {
		return invocation{}, err
	}

	fs := s.flagSet("nginit")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(output)
		}
		return invocation{}, err
	}
	if err := s.validate("--"); err != nil {
		return invocation{}, err
	}

	command := fs.Args()
	if len(command) == 0 {
		command = defaultCommand
	}
	return invocation{settings: s, command: command}, nil
}

// writeUsage prints `nginit --help`.
func writeUsage(w io.Writer) {
	fmt.Fprintf(w, `Usage: nginit [flags] [--] [COMMAND [ARG...]]
       nginit check [flags] [--format text|json] [--] [COMMAND [ARG...]]
       nginit health [--url URL] [--timeout 2s]
       nginit reload [--runtime-dir DIR]
       nginit version

nginit runs COMMAND (default: nginx) as PID 1 for a non-root user on a
read-only root filesystem. Flags stop at the first argument that is not a
flag, so nginx's own flags pass through: nginit nginx -g "daemon off;".
To run a command named like a subcommand, put -- before it.

check   prints every preflight finding without starting nginx
health  exits 0 when nginx answers on its first listen address
reload  tests the configuration with nginx -t, then sends nginx SIGHUP

Settings (environment variable, flag, default; a flag wins over its variable):
`)
	writeVariables(w)
	fmt.Fprintf(w, `
Exit status: nginx's own, or 128+N when nginx was killed by signal N;
%d invalid usage or setting, %d started as root or setuid, %d preflight
found an error, %d command not executable, %d command not found,
%d internal error.
`, exitUsage, exitRoot, exitPreflight, exitNotExecutable, exitNotFound, exitInternal)
}

// start prepares everything nginx needs, then supervises it.
func start(sigs *initd.Signals, args []string, log *logger) int {
	inv, err := parseInvocation(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		log.Errorf("%v; see nginit --help", err)
		return exitUsage
	}
	s := inv.settings
	log.debug = s.LogLevel == "debug"

	// Refuse root before touching anything: nginx as root can write where
	// nginit would never prepare, and the point of nginit is a non-root nginx.
	id, err := readIdentity(false)
	if err != nil {
		log.Errorf("%v", err)
		return exitRoot
	}
	log.Infof("nginit %s starting as uid %d gid %d (pid %d)", version, id.UID, id.GID, id.PID)
	for _, name := range unknownVariables() {
		log.Warnf("%s is not a setting of nginit and is ignored; nginit --help lists the settings", name)
	}
	if !id.IsPID1 {
		log.Warnf("nginit is pid %d, not PID 1: it becomes a child subreaper to reap nginx's orphans, "+
			"but stop signals reach it only if PID 1 forwards them; use the exec form ENTRYPOINT [\"/nginit\"]", id.PID)
	}
	log.Debugf("groups %v, pid 1 %t, subreaper %t, no_new_privs %t, effective capabilities %#x",
		id.Groups, id.IsPID1, id.IsSubreaper, id.NoNewPrivs, id.CapEff)

	// The umask must be set with the syscall: nginx inherits it, while a
	// umask line in /etc/profile is read by no process of the image.
	setUmask(int(s.Umask))
	log.Debugf("umask %s", s.Umask.String())

	if err := prepareRuntimeDir(s.RuntimeDir); err != nil {
		log.Errorf("%v", err)
		return exitPreflight
	}
	log.Debugf("runtime directory %s ready", s.RuntimeDir)

	// Everything nginx would otherwise discover one crash at a time is
	// checked here, and reported together.
	setup, status := checkNginx(inv.command, id, s, log)
	if status != 0 {
		return status
	}
	if sigs.Pending() {
		log.Infof("stop requested during the preflight: exiting without starting %s", inv.command[0])
		return 0
	}

	command, err := composeCommand(setup, inv.command, s, log)
	if err != nil {
		log.Errorf("%v", err)
		return exitPreflight
	}
	log.Infof("starting %s", strings.Join(command, " "))

	// nginit reload runs nginx -t with the same command line, and signals
	// this process, so both are recorded for it.
	healthURL := ""
	if setup != nil {
		healthURL = healthURLFor(setup.Plan)
	}
	if err := writeCommandRecord(s.RuntimeDir, os.Getpid(), command, healthURL); err != nil {
		log.Errorf("%v", err)
		return exitPreflight
	}

	status, err = initd.Run(sigs, command, os.Environ(), supervisionConfig(s, log))
	switch {
	case errors.Is(err, initd.ErrNotFound):
		log.Errorf("%v; check the image's CMD and PATH", err)
		return exitNotFound
	case errors.Is(err, initd.ErrNotExecutable):
		hint := ""
		if errors.Is(err, syscall.EACCES) {
			hint = fmt.Sprintf("; the file and every directory above it need execute permission for uid %d", id.EUID)
		}
		log.Errorf("%v%s", err, hint)
		return exitNotExecutable
	case err != nil:
		log.Errorf("%v", err)
		return exitInternal
	}
	return status
}

// checkNginx renders templates, reads nginx's configuration and runs the
// preflight. It returns nil for a command that is not nginx, which nginit
// starts unchecked, and a non-zero exit status when nginx must not start.
func checkNginx(command []string, id initd.Identity, s settings, log *logger) (*nginxSetup, int) {
	if !isNginx(command) {
		log.Debugf("%s is not nginx, so nginit checks nothing before starting it", command[0])
		return nil, 0
	}

	// Templates render before the configuration is read, so that its glob
	// includes see the rendered files.
	rendered, err := renderTemplates(s, log)
	if err != nil {
		log.Errorf("%v", err)
		return nil, exitPreflight
	}

	setup, err := loadNginx(command)
	if errors.Is(err, errNginxNotExecutable) {
		log.Errorf("%v", err)
		return nil, exitNotExecutable
	}
	if errors.Is(err, errNginxNotFound) {
		log.Errorf("%v; check the image's CMD and PATH", err)
		return nil, exitNotFound
	}
	if err != nil {
		log.Errorf("%v", err)
		return nil, exitPreflight
	}

	report := runPreflight(setup, id, s, rendered)
	logReport(log, report)
	if report.Summary.Failed {
		log.Errorf("preflight found %d errors and %d warnings (strict %t); nginx was not started",
			report.Summary.Errors, report.Summary.Warnings, s.Strict)
		return nil, exitPreflight
	}
	return setup, 0
}

// supervisionConfig maps the settings onto initd's.
func supervisionConfig(s settings, log *logger) initd.Config {
	return initd.Config{
		StopDelay:   s.StopDelay,
		StopSignal:  unixSignal(s.StopSignal),
		StopTimeout: s.StopTimeout,
		KillGrace:   s.KillGrace,
		SignalGroup: s.SignalGroup,
		Logf:        log.Infof,
		Debugf:      log.Debugf,
	}
}

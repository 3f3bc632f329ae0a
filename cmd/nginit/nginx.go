package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/nginit/nginit/internal/command"
	"github.com/nginit/nginit/nginxconf"
)

// nginxSetup is the facts nginit reads about nginx before starting it.
type nginxSetup struct {
	// Path is the nginx binary found in PATH.
	Path    string
	Build   nginxconf.BuildInfo
	Command *nginxconf.CommandLine
	Config  *nginxconf.Config
	Plan    *nginxconf.Plan
	// ConfigErr is every problem met while reading the configuration:
	// missing includes and syntax errors. The plan covers what was read.
	ConfigErr error
	// WorkerDirective is "worker_processes N;" when nginit sizes nginx's
	// workers from the cgroup's CPU limit, or "".
	WorkerDirective string
	// ErrorLogToStderr is set by the preflight when nginit passes -e stderr
	// because the startup error log is not writable.
	ErrorLogToStderr bool
}

// isNginx reports whether the command runs nginx, which nginit reads and
// checks before starting. The official image also ships nginx-debug.
func isNginx(argv []string) bool {
	base := filepath.Base(argv[0])
	return base == "nginx" || strings.HasPrefix(base, "nginx-")
}

// Errors of loadNginx that map to the exit statuses of a command that
// cannot start: 127 and 126.
var (
	errNginxNotFound      = errors.New("nginx not found")
	errNginxNotExecutable = errors.New("nginx not executable")
)

// loadNginx reads nginx's compile-time defaults, its command line and its
// configuration with every include. It fails when nginx itself cannot be
// found or run. Configuration problems are kept in ConfigErr so the
// preflight can report all of them at once. When the main file cannot be
// read at all, Config and Plan are nil.
func loadNginx(argv []string) (*nginxSetup, error) {
	path, err := command.LookPath(argv[0])
	if errors.Is(err, command.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: %v", errNginxNotFound, argv[0], err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNginxNotExecutable, err)
	}

	cmd, err := nginxconf.ParseCommandLine(argv)
	if err != nil {
		return nil, fmt.Errorf("read nginx command line %q: %w", strings.Join(argv, " "), err)
	}

	build, err := nginxconf.ReadBuildInfo(path)
	if err != nil {
		return nil, fmt.Errorf("read nginx build information: %w", err)
	}

	loc := nginxconf.Locate(cmd, build)
	cfg, cfgErr := nginxconf.ParseFile(loc.ConfFile, loc.ConfPrefix)
	if cfg == nil {
		err := fmt.Errorf("read nginx configuration %s (%s): %w", loc.ConfFile, loc.ConfFileSource, cfgErr)
		return &nginxSetup{Path: path, Build: build, Command: cmd, ConfigErr: err}, nil
	}

	return &nginxSetup{
		Path:      path,
		Build:     build,
		Command:   cmd,
		Config:    cfg,
		Plan:      nginxconf.Analyze(cfg, cmd, build),
		ConfigErr: cfgErr,
	}, nil
}

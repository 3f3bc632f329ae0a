package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/nginit/nginit/internal/cgroupcpu"
	"github.com/nginit/nginit/internal/envsubst"
)

// renderTemplates renders the official image's NGINX_ENVSUBST_* templates
// into the runtime directory, never into the read-only configuration tree.
func renderTemplates(s settings, log *logger) ([]envsubst.Rendered, error) {
	cfg, err := envsubst.LoadConfig(os.LookupEnv, s.RuntimeDir)
	if err != nil {
		return nil, err
	}
	rendered, err := envsubst.Render(cfg, os.Environ())
	if err != nil {
		return nil, fmt.Errorf("render templates: %w", err)
	}
	for _, r := range rendered {
		log.Infof("rendered template %s to %s", r.Template, r.Output)
	}
	return rendered, nil
}

// checkTemplatesIncluded fails when a rendered file is not included by the
// configuration, so nginx would start with the image's default site.
func checkTemplatesIncluded(setup *nginxSetup, rendered []envsubst.Rendered) error {
	if len(rendered) == 0 {
		return nil
	}
	included := []string{setup.Plan.ConfFile}
	for _, inc := range setup.Config.Includes {
		included = append(included, inc.Path)
	}
	return envsubst.CheckIncluded(included, rendered)
}

// configuredWorkers returns the worker_processes value the configuration or
// the command's -g sets, or "" when neither does.
func configuredWorkers(setup *nginxSetup) string {
	d := setup.Plan.Facts.WorkerProcesses
	if d == nil || len(d.Args) == 0 {
		return ""
	}
	return d.Args[0]
}

// cpuLimit reads the cgroup's CPU limit; without one, no quota applies.
func cpuLimit() cgroupcpu.Limit {
	limit, err := cgroupcpu.Read("/")
	if err != nil {
		return cgroupcpu.Limit{Quota: -1}
	}
	return limit
}

// sizeWorkers decides worker_processes from the cgroup's CPU limit. It
// returns the directive for -g, or a warning when the configuration's own
// value starts more workers than the limit allows; both may be "".
func sizeWorkers(setup *nginxSetup, s settings) (directive, warning string) {
	return decideWorkerProcesses(s.WorkerProcesses, configuredWorkers(setup), cpuLimit(), runtime.NumCPU())
}

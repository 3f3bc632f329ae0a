package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nginit/nginit/internal/cgroupcpu"
)

// workerMode is NGINIT_WORKER_PROCESSES: "auto" sizes nginx's worker_processes
// from the cgroup's CPU limit, "off" leaves it to the configuration.
type workerMode string

// Decode accepts auto or off.
func (m *workerMode) Decode(value string) error {
	switch strings.ToLower(value) {
	case "auto", "off":
		*m = workerMode(strings.ToLower(value))
		return nil
	}
	return fmt.Errorf("want auto or off")
}

func (m *workerMode) Set(value string) error { return m.Decode(value) }
func (m *workerMode) String() string         { return string(*m) }

// decideWorkerProcesses returns the worker_processes directive to add with
// -g, or a warning, from the value the configuration sets ("" when neither
// the configuration nor the user's -g sets worker_processes).
//
// nginx's own default is 1 worker, and `worker_processes auto` starts one per
// CPU of the host, ignoring the cgroup's CFS quota: 64 workers in a
// container limited to 2 CPUs on a 64-CPU host. Without the directive,
// nginit adds one sized to the limit. With auto, it warns with the number to
// use; an explicit number is the user's choice.
func decideWorkerProcesses(mode workerMode, configured string, limit cgroupcpu.Limit, numCPU int) (directive, warning string) {
	if mode == "off" {
		return "", ""
	}
	n := limit.WorkerProcesses(numCPU)

	switch {
	case configured == "":
		return "worker_processes " + strconv.Itoa(n) + ";", ""
	case configured == "auto" && n < numCPU:
		return "", fmt.Sprintf("worker_processes auto starts %d workers, one per CPU, but the cgroup allows %s; set worker_processes %d; or remove the directive so that nginit sets it",
			numCPU, describeLimit(limit), n)
	}
	return "", ""
}

// describeLimit writes the limit that bounds the workers, with its source.
func describeLimit(l cgroupcpu.Limit) string {
	var parts []string
	if q := l.QuotaCPUs(); q > 0 {
		parts = append(parts, fmt.Sprintf("%d CPUs (quota %d µs per %d µs in %s)", q, l.Quota, l.Period, l.QuotaFile))
	}
	if l.CPUSet > 0 {
		parts = append(parts, fmt.Sprintf("a cpuset of %d CPUs (%s)", l.CPUSet, l.CPUSetFile))
	}
	return strings.Join(parts, " and ")
}

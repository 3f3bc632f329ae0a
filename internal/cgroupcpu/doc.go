// Package cgroupcpu reads the CPU limit of the current process's cgroup, v1
// or v2: the CFS quota and period and the cpuset, from which nginit sizes
// nginx's worker_processes. It never sets limits and reads only files, so a
// directory can stand in for / in tests.
package cgroupcpu

#!/usr/bin/env bash
# The machine and the versions of everything measured, for BENCHMARKS.md.
. "$(dirname "$0")/lib.sh"
start_results machine
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "nproc: $(nproc)"
	echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "kernel: $(uname -srm)"
	echo "memory: $(awk '/^MemTotal/ { print $2, $3 }' /proc/meminfo)"
	echo "nginit: $("$NGINIT" version 2>/dev/null || echo "not built")"
	echo "go: $(go version 2>/dev/null || echo missing)"
	for package in tini dumb-init catatonit nginx hyperfine wrk runc; do
		echo "$package: $(dpkg-query -W -f '${Version}' "$package" 2>/dev/null || echo missing)"
	done
} | tee "$RESULTS/summary.txt"

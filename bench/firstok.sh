#!/usr/bin/env bash
# Time from `runc run` to the first 200: the example site in a read-only runc
# container as uid 101, nginx alone against nginx under nginit as PID 1.
. "$(dirname "$0")/lib.sh"
require_commands runc nginx go
require_root firstok.sh
start_results firstok
build_helpers

if ! have_nginit; then
	summary "first 200: $NGINIT is not built"
	exit 0
fi
command=("$OUT/bin/firstok" -nginit "$NGINIT" -runs "${RUNS:-20}" -out "$RESULTS")
echo "${command[*]}" >"$RESULTS/commands.txt"
"${command[@]}" 2>"$RESULTS/log.txt" | tee -a "$RESULTS/summary.txt"

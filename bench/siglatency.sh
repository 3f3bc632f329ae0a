#!/usr/bin/env bash
# Signal forwarding latency: bench/siglatency sends 1,000 SIGUSR1, one at a
# time, to each init running as the benchmark uid, and its child records the
# CLOCK_MONOTONIC time of arrival. "none" sends them to the child directly.
# Compared with tini: p50 and p99.
. "$(dirname "$0")/lib.sh"
require_commands setpriv tini tini-static catatonit dumb-init go
require_root siglatency.sh
start_results siglatency
build_helpers

N=${SIGNALS:-1000}
work=$(user_tmpdir siglatency)
trap 'rm -rf "$work"' EXIT
cp "$OUT/bin/siglatency" "$work/siglatency"

for init in none $(inits); do
	mapfile -t prefix < <(init_prefix "$init")
	command=("$work/siglatency" -n "$N" -out "$RESULTS/$init.us" -- "${AS_USER[@]}" "${prefix[@]}")
	echo "${command[*]}" >>"$RESULTS/commands.txt"
	if ! result=$(NGINIT_RUNTIME_DIR=$work/runtime "${command[@]}" 2>>"$RESULTS/log.txt"); then
		summary "$(printf '%-12s failed: %s' "$init" "$(tail -1 "$RESULTS/log.txt")")"
		continue
	fi
	echo "$init $result" >>"$RESULTS/log.txt"
	p50=$(sort -g "$RESULTS/$init.us" | awk -v n="$N" 'NR == int(n * 0.50) + 1')
	p99=$(sort -g "$RESULTS/$init.us" | awk -v n="$N" 'NR == int(n * 0.99) + 1')
	echo "$init $p50 $p99" >>"$work/percentiles"
done

read -r _ tini50 tini99 < <(grep '^tini ' "$work/percentiles")
while read -r init p50 p99; do
	summary "$(printf '%-12s p50 %7.1f us  p99 %7.1f us  %5.2fx / %5.2fx tini (p50 / p99)' \
		"$init" "$p50" "$p99" "$(calc "$p50 / $tini50")" "$(calc "$p99 / $tini99")")"
done <"$work/percentiles"

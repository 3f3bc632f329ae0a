#!/usr/bin/env bash
# Start-up time: `INIT -- /bin/true` as the benchmark uid, run by hyperfine
# without a shell. hyperfine itself runs as that uid, so no setpriv is timed.
# Budget: nginit within 1.5x of tini-static's median.
. "$(dirname "$0")/lib.sh"
require_commands hyperfine setpriv tini tini-static catatonit dumb-init
require_root startup.sh
start_results startup
build_helpers

RUNS=${RUNS:-300}
WARMUP=${WARMUP:-30}
work=$(user_tmpdir startup)
trap 'rm -rf "$work"' EXIT

commands=()
names=()
for init in $(inits) none; do
	mapfile -t prefix < <(init_prefix "$init")
	commands+=("${prefix[*]} /bin/true")
	names+=("$init")
done
printf '%s\n' "${commands[@]}" >"$RESULTS/commands.txt"

# nginit's runtime directory must be writable by the benchmark uid; /bin/true
# gets no nginx preflight.
NGINIT_RUNTIME_DIR=$work/runtime "${AS_USER[@]}" env HOME="$work" \
	hyperfine -N --warmup "$WARMUP" --runs "$RUNS" \
	--export-json "$work/startup.json" "${commands[@]}" | tee "$RESULTS/hyperfine.txt"
cp "$work/startup.json" "$RESULTS/"

# Medians and ranges in milliseconds, and each init's ratio to tini-static.
"$OUT/bin/hfsummary" -ref tini-static -check nginit -budget 1.5 \
	"$RESULTS/startup.json" "${names[@]}" | tee -a "$RESULTS/summary.txt"

#!/usr/bin/env bash
# Reaping 10,000 orphans: bench/orphans runs under each init, first with the
# init as PID 1 of a new pid namespace, then with the init as a subreaper in
# the host's namespace. The time runs from the release of the orphans until
# the last is reaped. Budget: nginit no slower than tini.
. "$(dirname "$0")/lib.sh"
require_commands unshare setpriv tini tini-static catatonit dumb-init go
require_root orphans.sh
start_results orphans
build_helpers

N=${ORPHANS:-10000}
ROUNDS=${ROUNDS:-3}
work=$(user_tmpdir orphans)
trap 'rm -rf "$work"' EXIT
orphans=$work/orphans
cp "$OUT/bin/orphans" "$orphans"

# Rounds go through the inits in turn, so that a slow spell of the machine
# does not fall on a single init.
for mode in pid1 subreaper; do
	for round in $(seq "$ROUNDS"); do
		for init in $(inits); do
			mapfile -t prefix < <(init_prefix "$init")
			command=("${AS_USER[@]}" "${prefix[@]}" "$orphans" -n "$N" -out "$work/$mode-$init.ms")
			if [ "$mode" = pid1 ]; then
				command=(unshare --pid --fork --mount-proc "${command[@]}")
			fi
			[ "$round" = 1 ] && echo "${command[*]}" >>"$RESULTS/commands.txt"
			echo "$mode $init round $round: ${command[*]}" >>"$RESULTS/log.txt"
			NGINIT_RUNTIME_DIR=$work/runtime "${command[@]}" >>"$RESULTS/log.txt" 2>&1 ||
				echo "$mode $init round $round: failed, see log.txt" | tee -a "$RESULTS/log.txt"
		done
	done
done

for mode in pid1 subreaper; do
	ref=$(median "$work/$mode-tini.ms" 2>/dev/null || echo 0)
	for init in $(inits); do
		file=$work/$mode-$init.ms
		if [ ! -s "$file" ]; then
			summary "$(printf '%-10s %-12s failed: %s' "$mode" "$init" "$(grep "orphans:" "$RESULTS/log.txt" | tail -1)")"
			continue
		fi
		cp "$file" "$RESULTS/"
		summary "$(printf '%-10s %-12s %s ms  %5.2fx tini' "$mode" "$init" "$(stats "$file")" \
			"$(calc "$(median "$file") / $ref")")"
	done
done

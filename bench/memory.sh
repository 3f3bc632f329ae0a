#!/usr/bin/env bash
# Resident memory while supervising: each init runs `sleep` as the benchmark
# uid; after a second, VmRSS and VmHWM are read from the init's
# /proc/PID/status. Budget: nginit at most 3 MiB.
. "$(dirname "$0")/lib.sh"
require_commands setpriv tini tini-static catatonit dumb-init
require_root memory.sh
start_results memory

ROUNDS=${ROUNDS:-3}
SETTLE=${SETTLE:-1}
work=$(user_tmpdir memory)
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

for round in $(seq "$ROUNDS"); do
	for init in $(inits); do
		mapfile -t prefix < <(init_prefix "$init")
		command=("${AS_USER[@]}" "${prefix[@]}" /bin/sleep 600)
		[ "$round" = 1 ] && echo "${command[*]}" >>"$RESULTS/commands.txt"

		# setpriv executes the init, so $! is the init's pid.
		NGINIT_RUNTIME_DIR=$work/runtime "${command[@]}" >>"$RESULTS/log.txt" 2>&1 &
		pid=$!
		sleep "$SETTLE"
		cp "/proc/$pid/status" "$RESULTS/status-$init-$round"
		awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" >>"$work/$init.rss"
		awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" >>"$work/$init.hwm"

		kill -TERM "$pid"
		wait "$pid" || true
		pid=
	done
done

ref=$(median "$work/tini-static.rss")
for init in $(inits); do
	rss=$(median "$work/$init.rss")
	verdict=""
	[ "$init" = nginit ] && verdict=$([ "$(calc "$rss <= 3072" %d)" = 1 ] && echo "  within 3 MiB" || echo "  OVER 3 MiB")
	summary "$(printf '%-12s VmRSS %s KiB  VmHWM %s KiB  %5.2fx tini-static%s' "$init" \
		"$(stats "$work/$init.rss" %.0f)" "$(stats "$work/$init.hwm" %.0f)" "$(calc "$rss / $ref")" "$verdict")"
done

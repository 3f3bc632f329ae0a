#!/usr/bin/env bash
# Runs every benchmark in one go, on one machine, and collects the summaries
# in out/bench/summary.txt. `make bench` builds nginit first and runs this.
# Without a working nginit the peers are still measured.
. "$(dirname "$0")/lib.sh"
require_commands hyperfine wrk /usr/bin/time curl tini tini-static dumb-init catatonit \
	nginx runc setpriv unshare go
require_root run.sh

mkdir -p "$OUT"
: >"$OUT/summary.txt"
for script in machine size startup memory siglatency orphans preflight nginx firstok; do
	echo "== $script" | tee -a "$OUT/summary.txt"
	start=$(date +%s)
	if ! /usr/bin/time -o "$OUT/$script.time" -f '%e s wall, %M KiB max RSS of the script' \
		"$BENCH_DIR/$script.sh" >"$OUT/$script.log" 2>&1; then
		echo "$script failed; see $OUT/$script.log" | tee -a "$OUT/summary.txt"
	fi
	cat "$OUT/$script/summary.txt" >>"$OUT/summary.txt" 2>/dev/null || true
	echo "($(($(date +%s) - start)) s)" >>"$OUT/summary.txt"
done
cat "$OUT/summary.txt"

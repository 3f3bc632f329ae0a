#!/usr/bin/env bash
# Binary size: nginit as `make build` builds it (static, stripped) against the
# peers' Debian binaries. Budget: 3 MiB.
. "$(dirname "$0")/lib.sh"
require_commands tini tini-static catatonit dumb-init file
start_results size

budget=$((3 * 1024 * 1024))
ref=$(stat -c %s /usr/bin/tini-static)
for bin in "$NGINIT" /usr/bin/tini-static /usr/bin/tini /usr/bin/catatonit /usr/bin/dumb-init; do
	[ -f "$bin" ] || { summary "$bin: not built"; continue; }
	size=$(stat -c %s "$bin")
	file -b "$bin" >"$RESULTS/$(basename "$bin").file"
	kind=$(grep -q 'statically linked\|static-pie' "$RESULTS/$(basename "$bin").file" && echo static || echo dynamic)
	stripped=$(grep -q 'not stripped' "$RESULTS/$(basename "$bin").file" && echo "not stripped" || echo stripped)
	summary "$(printf '%-22s %9d bytes %7.2f MiB  %-7s %-12s %5.2fx tini-static  %s' \
		"$(basename "$bin")" "$size" "$(calc "$size / 1048576")" "$kind" "$stripped" \
		"$(calc "$size / $ref")" "$([ "$size" -le "$budget" ] && echo "within 3 MiB" || echo "OVER 3 MiB")")"
done

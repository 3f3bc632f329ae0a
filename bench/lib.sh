# Shared settings and helpers of the benchmark scripts. Source it; do not run
# it. Every script writes its raw results under $OUT/<name>/ and a summary
# line per measurement to $OUT/<name>/summary.txt.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT=${OUT:-$ROOT/out/bench}
NGINIT=${NGINIT:-$ROOT/bin/nginit}

# The identity every init runs as: nginit rejects root, and the peers run
# under the same uid so that each pays the same costs.
BENCH_UID=${BENCH_UID:-101}
BENCH_GID=${BENCH_GID:-101}
AS_USER=(setpriv --reuid="$BENCH_UID" --regid="$BENCH_GID" --clear-groups)

# Debian packages that provide each command the scripts run.
declare -A PACKAGE_OF=(
	[hyperfine]=hyperfine [wrk]=wrk [/usr/bin/time]=time [tini]=tini
	[tini-static]=tini [dumb-init]=dumb-init [catatonit]=catatonit
	[nginx]=nginx [runc]=runc [setpriv]=util-linux [unshare]=util-linux
	[strace]=strace [curl]=curl [go]=golang
)

# require_commands checks for each command, names the missing ones with their
# Debian package, and installs those packages with apt-get when run as root.
require_commands() {
	local missing=() packages=() cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || {
			missing+=("$cmd")
			packages+=("${PACKAGE_OF[$cmd]:-$cmd}")
		}
	done
	[ ${#missing[@]} -eq 0 ] && return 0

	echo "bench: missing ${missing[*]} (Debian packages: ${packages[*]})" >&2
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench: run as root, or install them: apt-get install ${packages[*]}" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
}

# require_root stops a script that needs root: to switch to the benchmark
# uid, to create pid namespaces and to run containers.
require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench: $1 needs root to run the inits as uid $BENCH_UID" >&2
		exit 1
	fi
}

# have_nginit reports whether $NGINIT is a binary that runs.
have_nginit() {
	[ -x "$NGINIT" ] && "$NGINIT" version >/dev/null 2>&1
}

# init_prefix prints, one word a line, how each init runs a command: the
# syntax differs. tini warns and does not reap when it is neither PID 1 nor a
# subreaper, so it gets -s; catatonit and dumb-init need no flag.
init_prefix() {
	case "$1" in
	nginit) printf '%s\n' "$NGINIT" -- ;;
	tini-static) printf '%s\n' /usr/bin/tini-static -s -- ;;
	tini) printf '%s\n' /usr/bin/tini -s -- ;;
	catatonit) printf '%s\n' /usr/bin/catatonit -- ;;
	dumb-init) printf '%s\n' /usr/bin/dumb-init -- ;;
	none) ;;
	*) echo "bench: unknown init $1" >&2; return 1 ;;
	esac
}

# inits lists the inits to compare: nginit first when it is built.
inits() {
	if have_nginit; then echo nginit; fi
	echo tini-static tini catatonit dumb-init
}

# user_tmpdir creates a directory owned by the benchmark uid and prints it.
user_tmpdir() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/nginit-bench-$1.XXXXXX")
	chown "$BENCH_UID:$BENCH_GID" "$dir"
	echo "$dir"
}

# summary appends one line to the script's summary and prints it.
summary() {
	echo "$*" | tee -a "$RESULTS/summary.txt"
}

# start_results empties $OUT/$1 and sets RESULTS to it.
start_results() {
	RESULTS=$OUT/$1
	rm -rf "$RESULTS"
	mkdir -p "$RESULTS"
	date -u +%Y-%m-%dT%H:%M:%SZ >"$RESULTS/date"
}

# calc prints the value of an awk expression, such as "3 / 2", with the
# printf format in $2 (default %.2f).
calc() {
	awk "BEGIN { printf \"${2:-%.2f}\", $1 }"
}

# build_helpers builds the Go helper programs of bench/ into $OUT/bin.
build_helpers() {
	mkdir -p "$OUT/bin"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$OUT/bin/" \
		./bench/...)
}

# stats prints "median M min A max B (n=N)" of the numbers in a file, one a
# line, with the printf format in $2 (default %.3f).
stats() {
	sort -g "$1" | awk -v f="${2:-%.3f}" '{ v[NR] = $1 } END {
		if (NR == 0) { print "no samples"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median " f " min " f " max " f " (n=%d)", m, v[1], v[NR], NR }'
}

# median prints the median of the numbers in a file, one a line.
median() {
	stats "$1" | awk '{ print $2 }'
}

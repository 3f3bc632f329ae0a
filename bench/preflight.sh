#!/usr/bin/env bash
# Preflight cost, as the benchmark uid, with hyperfine:
#  - `nginit check --format json -- nginx -c CONF` on the example site,
#    against `nginx -t` of the same configuration and `nginit -- /bin/true`;
#  - the static-root walk (fsprep.WalkRoot, through bench/walk) of a tree of
#    100,000 files against `find TREE`, `find TREE -printf ''` and find
#    printing each file's mode and owner, which stats every file as the walk
#    does.
# Budget: the walk no slower than find; the check a few milliseconds.
. "$(dirname "$0")/lib.sh"
require_commands hyperfine setpriv nginx find go
require_root preflight.sh
start_results preflight
build_helpers

RUNS=${RUNS:-20}
FILES=${FILES:-100000}
work=$(user_tmpdir preflight)
trap 'rm -rf "$work"' EXIT
cp "$OUT/bin/walk" "$work/walk"

# The tree: 1,000 directories of 100 files each, owned by root and readable
# by everyone, as an image's static root is.
tree=$work/tree
dirs=$((FILES / 100))
mkdir -p "$tree"
(cd "$tree" && seq -f 'd%04g' 1 "$dirs" | xargs mkdir &&
	for d in d*; do (cd "$d" && seq -f 'f%03g.html' 1 100 | xargs touch); done)
echo "tree: $(find "$tree" -type f | wc -l) files in $(find "$tree" -mindepth 1 -type d | wc -l) directories" |
	tee "$RESULTS/tree.txt"

# `find TREE` reads directories only: getdents gives each entry's type, so it
# never stats a file. The walk must stat every file for its owner and mode;
# `-printf '%m %U %G'` makes find do the same, as a like-for-like reference.
walk_commands=("find $tree" "find $tree -printf ''" "find $tree -printf '%m %U %G\\n'"
	"$work/walk $tree" "$work/walk -verify $tree")
walk_names=(find find-printf find-stat walk walk-verify)
printf '%s\n' "${walk_commands[@]}" >"$RESULTS/commands.txt"
"${AS_USER[@]}" env HOME="$work" hyperfine -N --warmup 3 --runs "$RUNS" \
	--export-json "$work/walk.json" "${walk_commands[@]}" >"$RESULTS/walk-hyperfine.txt"
cp "$work/walk.json" "$RESULTS/"
"$OUT/bin/hfsummary" -ref find -check walk -budget 1.0 "$RESULTS/walk.json" "${walk_names[@]}" |
	tee -a "$RESULTS/summary.txt"
"${AS_USER[@]}" "$work/walk" "$tree" >"$RESULTS/walk-output.txt"

if ! have_nginit || ! "$NGINIT" check --help >/dev/null 2>&1; then
	summary "nginit check: not available in $NGINIT"
	exit 0
fi

# The example site, with everything nginx writes under $work.
site=$work/site
cp -r "$ROOT/examples/site" "$site"
chmod -R a+rX "$site"
sed -e "s|/usr/share/nginx/html|$site|" -e "s|/tmp/nginx/|$work/nginx/|" \
	-e "s|listen 8080;|listen 127.0.0.1:18080;|" "$ROOT/examples/nginx.conf" >"$work/nginx.conf"
mkdir -p "$work/nginx" && chown "$BENCH_UID:$BENCH_GID" "$work/nginx"

check_commands=("$NGINIT -- /bin/true"
	"$NGINIT check --format json -- nginx -c $work/nginx.conf"
	"nginx -t -q -e stderr -g 'pid $work/nginx.pid;' -c $work/nginx.conf")
printf '%s\n' "${check_commands[@]}" >>"$RESULTS/commands.txt"
NGINIT_RUNTIME_DIR=$work/runtime "${AS_USER[@]}" env HOME="$work" hyperfine -N --warmup 3 --runs "$RUNS" \
	-i --export-json "$work/check.json" "${check_commands[@]}" >"$RESULTS/check-hyperfine.txt"
cp "$work/check.json" "$RESULTS/"
"$OUT/bin/hfsummary" -ref nginit-true "$RESULTS/check.json" nginit-true nginit-check nginx-t |
	tee -a "$RESULTS/summary.txt"
NGINIT_RUNTIME_DIR=$work/runtime "${AS_USER[@]}" "$NGINIT" check --format json -- nginx -c "$work/nginx.conf" \
	>"$RESULTS/check-output.json" 2>&1 || true

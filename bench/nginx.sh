#!/usr/bin/env bash
# nginx under load, as plain processes on loopback, all as the benchmark uid
# with the same configuration:
#  - requests per second with wrk, nginx started directly against nginx under
#    nginit (nginit is not on the data path, so they should be equal);
#  - failed requests during a stop: wrk downloads a 2 MB file rate-limited
#    to 1 MB/s, and SIGTERM goes to the init mid-run. nginit turns it into
#    nginx's graceful SIGQUIT; tini forwards SIGTERM, nginx's fast shutdown.
. "$(dirname "$0")/lib.sh"
require_commands wrk curl nginx setpriv tini
require_root nginx.sh
start_results nginx

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
STOP_AFTER=${STOP_AFTER:-4}
PORT=${PORT:-18081}
WRK=(wrk -t2 -c50 "-d${DURATION}s" --timeout 5s)
work=$(user_tmpdir nginx)
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# The configuration sets daemon and pid itself, so nginit adds nothing, and
# one worker leaves the second core to wrk.
mkdir -p "$work/site/big" "$work/temp"
cp -r "$ROOT/examples/site/." "$work/site/"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$work/site/big/2mb.bin"
chmod -R a+rX "$work/site"
chown "$BENCH_UID:$BENCH_GID" "$work/temp"
cat >"$work/nginx.conf" <<CONF
daemon off;
pid $work/temp/nginx.pid;
worker_processes 1;
error_log $work/temp/error.log notice;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path $work/temp/client;
    proxy_temp_path $work/temp/proxy;
    fastcgi_temp_path $work/temp/fastcgi;
    uwsgi_temp_path $work/temp/uwsgi;
    scgi_temp_path $work/temp/scgi;
    server {
        listen 127.0.0.1:$PORT;
        root $work/site;
        location /big/ { limit_rate 1m; }
    }
}
CONF
cp "$work/nginx.conf" "$RESULTS/"
NGINX=(nginx -e stderr -c "$work/nginx.conf")

# start_server runs the init (or nginx when it is "none") in the
# background and waits until nginx responds.
start_server() {
	local prefix
	mapfile -t prefix < <(init_prefix "$1")
	echo "${AS_USER[*]} ${prefix[*]} ${NGINX[*]}" >>"$RESULTS/commands.txt"
	NGINIT_RUNTIME_DIR=$work/runtime "${AS_USER[@]}" "${prefix[@]}" "${NGINX[@]}" >>"$RESULTS/server-$1.log" 2>&1 &
	pid=$!
	for _ in $(seq 200); do
		curl -fso /dev/null "http://127.0.0.1:$PORT/" && return 0
		sleep 0.05
	done
	echo "bench: nginx under $1 did not respond on port $PORT; see $RESULTS/server-$1.log" >&2
	exit 1
}

# stop_server sends a stop signal and waits for the init to exit.
stop_server() {
	kill "-$1" "$pid"
	wait "$pid" || true
	pid=
}

# nginx alone is stopped with SIGQUIT, its graceful shutdown, and the
# inits with SIGTERM, which nginit turns into SIGQUIT.
stop_signal() { [ "$1" = none ] && echo QUIT || echo TERM; }

servers=(none)
have_nginit && servers+=(nginit)

for round in $(seq "$ROUNDS"); do
	for server in "${servers[@]}"; do
		start_server "$server"
		echo "${WRK[*]} http://127.0.0.1:$PORT/index.html" >>"$RESULTS/commands.txt"
		"${WRK[@]}" "http://127.0.0.1:$PORT/index.html" >"$RESULTS/rps-$server-$round.txt"
		awk '/^Requests\/sec/ { print $2 }' "$RESULTS/rps-$server-$round.txt" >>"$work/$server.rps"
		stop_server "$(stop_signal "$server")"
	done
done
ref=$(median "$work/none.rps")
for server in "${servers[@]}"; do
	summary "$(printf 'rps   %-7s %s req/s  %5.3fx nginx alone' \
		"$([ "$server" = none ] && echo nginx || echo "$server")" \
		"$(stats "$work/$server.rps" %.0f)" "$(calc "$(median "$work/$server.rps") / $ref" %.3f)")"
done

# Stop under load: wrk runs for DURATION seconds and the init gets SIGTERM
# after STOP_AFTER. Each request sends `Connection: close`, so a read
# error is a transfer cut mid-body and never a request sent on a keep-alive
# connection that nginx closed while draining. wrk counts its reconnects
# after nginx closed the listening socket as connect or write errors.
stoppers=(tini)
have_nginit && stoppers=(nginit tini)
for server in "${stoppers[@]}"; do
	start_server "$server"
	echo "${WRK[*]} -H 'Connection: close' http://127.0.0.1:$PORT/big/2mb.bin; kill -TERM INIT after ${STOP_AFTER}s" >>"$RESULTS/commands.txt"
	"${WRK[@]}" -H 'Connection: close' "http://127.0.0.1:$PORT/big/2mb.bin" >"$RESULTS/stop-$server.txt" &
	wrk_pid=$!
	sleep "$STOP_AFTER"
	started=$(date +%s.%N)
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	stopped=$(date +%s.%N)
	pid=
	wait "$wrk_pid" || true

	file=$RESULTS/stop-$server.txt
	requests=$(awk '/requests in/ { print $1 }' "$file")
	bytes=$(awk '/requests in/ { print $5 }' "$file")
	read -r connect read write timeout < <(awk -F'[ ,]+' '/Socket errors/ { print $5, $7, $9, $11 }' "$file")
	non2xx=$(awk '/Non-2xx/ { print $5 }' "$file")
	summary "$(printf 'stop  %-7s exit %d after %.2f s  completed %s (%s read)  cut transfers (read errors) %s  non-2xx %s  timeouts %s  reconnects refused (connect/write errors) %s/%s' \
		"$server" "$status" "$(calc "$stopped - $started")" "$requests" "$bytes" "${read:-0}" "${non2xx:-0}" \
		"${timeout:-0}" "${connect:-0}" "${write:-0}")"
done

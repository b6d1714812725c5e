#!/usr/bin/env bash
# Load test of `GET /api/v1/projects`: l2stage serve (release build) against
# nginx serving the very same JSON as a static file, measured in one run with
# wrk, on loopback only and bounded in time. Prints requests/s and p99 of
# both, and their ratio.
#
#   ./scripts/load-test.sh            # 10 s per target, 2 threads, 64 connections
#   DURATION=5s CONNECTIONS=32 ./scripts/load-test.sh
#
# Installs wrk and nginx (Debian packages) when missing; starts and stops
# everything itself.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  echo "installing ${need[*]} (Debian packages)..." >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

echo "building l2stage (release)..." >&2
cargo build --release --locked -p l2stage >&2
BIN="${CARGO_TARGET_DIR:-target}/release/l2stage"

TMP="$(mktemp -d)"
chmod 755 "$TMP"
SERVER_PID=""
NGINX_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# l2stage, on a port it picks itself (printed once it is listening).
"$BIN" serve --addr 127.0.0.1:0 --db "$TMP/l2stage.db" --catalog catalog >"$TMP/serve.log" 2>&1 &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 120); do
  ADDR="$(sed -n 's|^listening on http://\(.*\)/$|\1|p' "$TMP/serve.log")"
  [ -n "$ADDR" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/serve.log" >&2; exit 1; }
  sleep 0.5
done
[ -n "$ADDR" ] || { echo "l2stage serve did not start" >&2; cat "$TMP/serve.log" >&2; exit 1; }

# nginx serving the same bytes as a static file.
mkdir -p "$TMP/www/api/v1"
curl -fsS "http://$ADDR/api/v1/projects" -o "$TMP/www/api/v1/projects"
chmod -R a+rX "$TMP/www"
NGINX_PORT="$(free_port)"
cat >"$TMP/nginx.conf" <<EOF
worker_processes auto;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $TMP/nginx-body;
  proxy_temp_path $TMP/nginx-proxy;
  fastcgi_temp_path $TMP/nginx-fastcgi;
  uwsgi_temp_path $TMP/nginx-uwsgi;
  scgi_temp_path $TMP/nginx-scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $TMP/www;
    location = /api/v1/projects { default_type application/json; }
  }
}
EOF
"$NGINX" -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/nginx-error.log" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$NGINX_PORT/api/v1/projects" -o "$TMP/nginx.json" 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$TMP/nginx-error.log" >&2; exit 1; }
  sleep 0.5
done
cmp -s "$TMP/www/api/v1/projects" "$TMP/nginx.json" || { echo "nginx does not serve the same JSON" >&2; exit 1; }
BYTES="$(wc -c <"$TMP/nginx.json")"

run() { # name url -> "rps p99"
  local out
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2")"
  echo "$out" >"$TMP/wrk-$1.txt"
  local rps p99
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  local errors
  errors="$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)"
  [ -n "$errors" ] && echo "$1: $errors" >&2
  echo "$rps $p99"
}

echo "GET /api/v1/projects ($BYTES bytes), wrk -t$THREADS -c$CONNECTIONS -d$DURATION, loopback" >&2
read -r L_RPS L_P99 < <(run l2stage "http://$ADDR/api/v1/projects")
read -r N_RPS N_P99 < <(run nginx "http://127.0.0.1:$NGINX_PORT/api/v1/projects")
RATIO="$(awk -v a="$L_RPS" -v b="$N_RPS" 'BEGIN { printf "%.2f", a / b }')"

printf '%-8s %12s %10s\n' target 'requests/s' p99
printf '%-8s %12s %10s\n' l2stage "$L_RPS" "$L_P99"
printf '%-8s %12s %10s\n' nginx "$N_RPS" "$N_P99"
echo "ratio l2stage/nginx: $RATIO (target: at least 0.5)"

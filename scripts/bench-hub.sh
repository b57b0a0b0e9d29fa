#!/usr/bin/env bash
# Hub transfer speed on loopback: upload and download of one large file through Nuri's hub
# (LFS upload URL; /resolve download) beside nginx serving (sendfile) and receiving (WebDAV PUT)
# the same file. Prints MB/s (10^6 bytes per second), best of RUNS.
#
#   scripts/bench-hub.sh [SIZE_MB]        # default 1024; needs curl, nginx (Debian package) and
#                                        # a release build: make release
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MB=${1:-1024}
RUNS=${RUNS:-3}
NURI=${NURI:-.build/release/nuri}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[[ -x "$NURI" ]] || { echo "no $NURI: run make release" >&2; exit 1; }
[[ -x "$NGINX" ]] || { echo "nginx is not installed: apt-get install -y nginx" >&2; exit 1; }

work=$(mktemp -d /tmp/nuri-bench-hub.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
best() { sort -g | tail -n 1; }
mbps() { python3 -c "import sys; print(f'{float(sys.argv[1]) / 1e6:.0f}')" "$1"; }

echo "generating ${SIZE_MB} MB of random data…" >&2
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$work/blob.bin"
size=$(stat -c %s "$work/blob.bin")
oid=$(sha256sum "$work/blob.bin" | cut -d' ' -f1)

# --- Nuri -----------------------------------------------------------------------------------
data="$work/nuri"
token=$("$NURI" admin init --data-dir "$data" | tail -n 1)
port=$(free_port)
"$NURI" serve --data-dir "$data" --port "$port" --log-level error >/dev/null 2>&1 &
pids+=($!)
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
auth=(-H "Authorization: Bearer $token")
curl -sf "${auth[@]}" "$base/api/repos/create" -d '{"name": "bench", "organization": "operator"}' >/dev/null

upload_speeds=()
for run in $(seq "$RUNS"); do
    # Each run uploads into a fresh repository-independent slot; the blob is removed first so
    # the server really receives and hashes the bytes again.
    rm -f "$data/blobs/sha256/${oid:0:2}/${oid:2}"
    sqlite3_delete="DELETE FROM hub_blobs WHERE sha256 = '$oid'"
    python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()" "$data/nuri.sqlite" "$sqlite3_delete"
    href=$(curl -sf "${auth[@]}" "$base/operator/bench.git/info/lfs/objects/batch" \
        -d "{\"operation\": \"upload\", \"objects\": [{\"oid\": \"$oid\", \"size\": $size}]}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["objects"][0]["actions"]["upload"]["href"])')
    upload_speeds+=("$(curl -sf -T "$work/blob.bin" -o /dev/null -w '%{speed_upload}' "$href")")
done
printf '{"key": "header", "value": {"summary": "bench"}}\n{"key": "lfsFile", "value": {"path": "blob.bin", "algo": "sha256", "oid": "%s", "size": %s}}\n' "$oid" "$size" |
    curl -sf "${auth[@]}" -H "Content-Type: application/x-ndjson" --data-binary @- "$base/api/models/operator/bench/commit/main" >/dev/null
download_speeds=()
for run in $(seq "$RUNS"); do
    download_speeds+=("$(curl -sf -o /dev/null -w '%{speed_download}' "$base/operator/bench/resolve/main/blob.bin")")
done

# --- nginx ----------------------------------------------------------------------------------
mkdir -p "$work/nginx/www" "$work/nginx/put" "$work/nginx/tmp" "$work/nginx/logs"
cp "$work/blob.bin" "$work/nginx/www/blob.bin"
nport=$(free_port)
cat > "$work/nginx/nginx.conf" <<CONF
user root;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 64; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path $work/nginx/tmp;
    server {
        listen 127.0.0.1:$nport;
        location /get/ { alias $work/nginx/www/; }
        location /put/ { alias $work/nginx/put/; dav_methods PUT; client_max_body_size 0; client_body_buffer_size 1m; }
    }
}
CONF
"$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$nport/get/" && break; sleep 0.2; done
nginx_down=(); nginx_up=()
for run in $(seq "$RUNS"); do
    nginx_down+=("$(curl -sf -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$nport/get/blob.bin")")
    rm -f "$work/nginx/put/blob.bin"
    nginx_up+=("$(curl -sf -T "$work/blob.bin" -o /dev/null -w '%{speed_upload}' "http://127.0.0.1:$nport/put/blob.bin")")
done

nd=$(printf '%s\n' "${download_speeds[@]}" | best); nu=$(printf '%s\n' "${upload_speeds[@]}" | best)
xd=$(printf '%s\n' "${nginx_down[@]}" | best); xu=$(printf '%s\n' "${nginx_up[@]}" | best)
echo "file: ${SIZE_MB} MiB, best of $RUNS runs, curl on loopback, $(nproc) cores"
printf '%-10s %14s %14s\n' "" "download MB/s" "upload MB/s"
printf '%-10s %14s %14s\n' "nuri" "$(mbps "$nd")" "$(mbps "$nu")"
printf '%-10s %14s %14s\n' "nginx" "$(mbps "$xd")" "$(mbps "$xu")"
python3 -c "import sys; d,u,x,y=map(float,sys.argv[1:]); print(f'nuri/nginx  download {d/x:.2f}×  upload {u/y:.2f}×')" "$nd" "$nu" "$xd" "$xu"

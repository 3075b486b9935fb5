#!/usr/bin/env bash
# Smoke test of a container image: it starts, /healthz and /readyz answer, its HEALTHCHECK
# passes, it renders a 1200x630 PNG, and on SIGTERM it finishes a request already in flight,
# then exits 0 within the grace period.
#
#   deploy/container/smoke.sh [TAG]        (default localhost/ogmill:scratch)
set -euo pipefail
tag=${1:-localhost/ogmill:scratch}
tool=${OGMILL_CONTAINER_TOOL:-podman}
name=ogmill-smoke-$$
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap '"$tool" rm -f "$name" >/dev/null 2>&1 || true' EXIT

"$tool" run -d --name "$name" -p "127.0.0.1:$port:3000" \
  --read-only --cap-drop ALL --security-opt no-new-privileges "$tag" >/dev/null 2>"${TMPDIR:-/tmp}/$name.log" || {
  cat "${TMPDIR:-/tmp}/$name.log" >&2
  exit 1
}
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null
# The image's own HEALTHCHECK, as the runtime would run it.
if [ "$tool" = podman ]; then podman healthcheck run "$name"; else docker exec "$name" /usr/local/bin/ogmill healthcheck; fi
echo "healthz, readyz and the image's HEALTHCHECK command pass"

card=$(mktemp)
curl -fsS -o "$card" "http://127.0.0.1:$port/api/og/blog?title=Hello+from+a+container"
python3 - "$card" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1200, 630), (w, h)
print(f"rendered a {w}x{h} PNG, {len(data)} bytes")
PY
rm -f "$card"

# A POST whose body arrives after SIGTERM: the server must still answer it, then exit 0.
python3 - "$port" "$tool" "$name" <<'PY'
import socket, subprocess, sys, time
port, tool, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
body = b'{"title":"In flight during shutdown"}'
conn = socket.create_connection(("127.0.0.1", port), timeout=20)
conn.sendall(b"POST /v1/default HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
time.sleep(0.3)
subprocess.run([tool, "kill", "--signal", "TERM", name], check=True, capture_output=True)
time.sleep(0.5)
conn.sendall(body)
answer = b""
while chunk := conn.recv(65536):
    answer += chunk
status = answer.split(b"\r\n", 1)[0].decode()
assert status.startswith("HTTP/1.1 200"), status
print("a request in flight at SIGTERM was answered:", status)
PY
start=$(date +%s)
code=$("$tool" wait "$name")
took=$(($(date +%s) - start))
[ "$code" = 0 ] || { echo "exited $code after SIGTERM" >&2; "$tool" logs "$name" | tail -20 >&2; exit 1; }
[ "$took" -le 10 ] || { echo "took ${took}s to stop (grace is 10s)" >&2; exit 1; }
echo "stopped on SIGTERM: exit 0 in ${took}s"

#!/usr/bin/env bash
# Build jifen's container image and try it: the sandbox answers its page, and against the
# local PostgreSQL (127.0.0.1:5432, user postgres, trust) `jifen run` is healthy and takes
# a purchase over the API. Needs podman (runc) and, for the Bot API the run talks to, the
# project's virtualenv (PYTHON, default .venv/bin/python) running the emulator.
#
#   BASE=docker.io/library/python:3.11-slim-bookworm deploy/container-test.sh
#
# Without BASE, a bare Debian bookworm is made with debootstrap (as root, from Debian's
# packages) and imported as localhost/bookworm-base; the image's first stage installs
# python3 into it.
set -euo pipefail
cd "$(dirname "$0")/.."

PODMAN=(podman --runtime runc)
PYTHON=${PYTHON:-.venv/bin/python}
IMAGE=localhost/jifen:test
BASE=${BASE:-localhost/bookworm-base}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
DB=jifen_container_test
work=$(mktemp -d)
containers=()
emulator=""

cleanup() {
  for c in "${containers[@]}"; do "${PODMAN[@]}" rm -f "$c" >/dev/null 2>&1 || true; done
  [ -n "$emulator" ] && kill "$emulator" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for() {  # URL SECONDS CONTAINER: until the URL answers 2xx
  for _ in $(seq 1 "$2"); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    if ! "${PODMAN[@]}" container exists "$3"; then echo "container $3 is gone"; return 1; fi
    sleep 1
  done
  echo "no answer from $1 within $2 s; the container's log:"
  "${PODMAN[@]}" logs "$3" 2>&1 | tail -40
  return 1
}

if [ "$BASE" = localhost/bookworm-base ] && ! "${PODMAN[@]}" image exists "$BASE"; then
  echo "== making $BASE with debootstrap"
  rootfs=${ROOTFS:-/tmp/rootfs}
  [ -x "$rootfs/bin/sh" ] || debootstrap --variant=minbase bookworm "$rootfs" >/dev/null
  tar -C "$rootfs" -c . | "${PODMAN[@]}" import - "$BASE" >/dev/null
fi

echo "== building $IMAGE on $BASE"
"${PODMAN[@]}" build --format docker --network host --build-arg "BASE=$BASE" \
  --secret "id=ca_bundle,src=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}" -t "$IMAGE" -f Containerfile . \
  > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }

echo "== the sandbox answers its page"
port=$(free_port)
containers+=(jifen-ct-sandbox)
"${PODMAN[@]}" run -d --name jifen-ct-sandbox --network host \
  -e JIFEN_SANDBOX__PORT="$port" "$IMAGE" sandbox >/dev/null
wait_for "http://127.0.0.1:$port/" 120 jifen-ct-sandbox
curl -fsS -o "$work/page.html" "http://127.0.0.1:$port/"
grep -qi "<html" "$work/page.html" || { echo "the sandbox page is not HTML"; exit 1; }

echo "== against PostgreSQL: /healthz and a purchase over the API"
psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
"$PYTHON" - "$work/emulator" <<'PY' &
import asyncio, sys
from pathlib import Path
from bot.emulator import BotApiEmulator

async def main() -> None:
    async with BotApiEmulator() as emu:
        Path(sys.argv[1]).write_text(f"{emu.token}\n{emu.base_url}\n")
        await asyncio.Event().wait()

asyncio.run(main())
PY
emulator=$!
for _ in $(seq 1 30); do [ -s "$work/emulator" ] && break; sleep 0.5; done
token=$(sed -n 1p "$work/emulator"); api_url=$(sed -n 2p "$work/emulator")
port=$(free_port)
env=(-e "JIFEN_DATABASE__URL=postgres://postgres@127.0.0.1:5432/$DB" -e "JIFEN_BOT__TOKEN=$token"
     -e "JIFEN_BOT__API_URL=$api_url" -e "JIFEN_BOT__LISTEN_PORT=$port" -e "JIFEN_METRICS__ENABLED=true")
containers+=(jifen-ct-run)
"${PODMAN[@]}" run -d --name jifen-ct-run --network host "${env[@]}" "$IMAGE" run >/dev/null
wait_for "http://127.0.0.1:$port/healthz" 120 jifen-ct-run
"${PODMAN[@]}" healthcheck run jifen-ct-run   # the image's HEALTHCHECK, run once (no timers here)
key=$("${PODMAN[@]}" exec jifen-ct-run jifen --config /etc/jifen/config.toml apikey create "container test" 2>/dev/null | tail -n1)
api="http://127.0.0.1:$port/api/v1"
member=$(curl -sS -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: container-member-1' -d '{"external_id": "container-1"}' "$api/members")
code=$(printf '%s' "$member" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["code"])')
status=$(curl -sS -o "$work/purchase.json" -w '%{http_code}' -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' \
  -d "{\"member\": {\"code\": \"$code\"}, \"amount_minor\": 12850, \"currency\": \"CNY\", \"order_id\": \"CT-1\"}" \
  "$api/purchases")
[ "$status" = 201 ] || { echo "purchase: HTTP $status"; cat "$work/purchase.json"; exit 1; }
curl -fsS -o "$work/metrics.txt" "http://127.0.0.1:$port/metrics"
grep -q '^jifen_purchases_total 1.0$' "$work/metrics.txt" \
  || { echo "/metrics does not count the purchase"; exit 1; }
"${PODMAN[@]}" exec jifen-ct-run jifen --config /etc/jifen/config.toml doctor >/dev/null
"${PODMAN[@]}" inspect --format '{{.Config.User}}' "$IMAGE" | grep -qx jifen
"${PODMAN[@]}" image inspect "$IMAGE" > "$work/image.json"
"$PYTHON" -c 'import json, sys; assert "/healthz" in str(json.load(sys.stdin)[0]["Healthcheck"])' \
  < "$work/image.json" || { echo "the image has no HEALTHCHECK (build with --format docker)"; exit 1; }
echo "container test passed"

#!/usr/bin/env bash
# Alternating A/B of row 7 on one server process: own route vs actor route (and any extra paths,
# `ID` in them replaced by the counter's actor id), several rounds, server CPU µs per request read
# from /proc (process + children). Usage: bash ab-framework.sh next|sveltekit|astro [seconds] [rounds] [extra paths...]
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
APP="${1:?next|sveltekit|astro}"; SECS="${2:-5}"; ROUNDS="${3:-3}"; shift 3 || shift $#
case "$APP" in
  next) ENTRY="server.js"; export NODE_ENV=production ;;
  sveltekit) ENTRY="build" ;;
  astro) ENTRY="dist/server/entry.mjs"; export ASTRO_TELEMETRY_DISABLED=1 ;;
  *) echo "unknown app $APP" >&2; exit 2 ;;
esac
OUT="$(mktemp -d /tmp/troupe-ab-$APP-XXXX)"
PORT="$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')"
URL="http://127.0.0.1:$PORT"
AC="$ROOT/bench/node_modules/.bin/autocannon"
(cd "$ROOT/apps/$APP" && PORT=$PORT HOST=127.0.0.1 TROUPE_DATA_DIR="$OUT/data" exec node "$ENTRY") > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$OUT"' EXIT
for _ in $(seq 300); do curl -s -o /dev/null "$URL/" && break; sleep 0.1; done
ID="$(curl -s -X PUT -H 'content-type: application/json' -d '{"name":"counter","key":["bench"]}' "$URL/api/actors/actors" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).actorId))')"
PATHS=(/bench/count "/api/actors/gateway/$ID/request/count")
for p in "$@"; do PATHS+=("${p//ID/$ID}"); done
ticks() { awk '{print $14+$15}' /proc/$PID/stat; }
TCK=$(getconf CLK_TCK)
for p in "${PATHS[@]}"; do echo "$p -> $(curl -s "$URL$p")"; "$AC" -c 10 -d 2 "$URL$p" > /dev/null 2>&1; done
for r in $(seq "$ROUNDS"); do
  for p in "${PATHS[@]}"; do
    t0=$(ticks)
    n=$("$AC" -c 10 -d "$SECS" -j "$URL$p" 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(r.requests.total, Math.round(r.requests.average))})')
    t1=$(ticks)
    set -- $n
    echo "round $r  $(printf '%-70s' "$p") req/s $2  cpu µs/req $(( (t1 - t0) * 1000000 / TCK / $1 ))"
  done
done

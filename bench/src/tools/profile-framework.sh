#!/usr/bin/env bash
# Profiles a sample app's production server (row 7) under load on both routes, one server process:
# warm-up on both routes, then a CPU profile of exactly the measured window on each (SIGUSR2 to
# prof-preload.mjs), autocannon from another process, and a per-request comparison (profile-diff.ts).
# Usage: bash profile-framework.sh next|sveltekit|astro [seconds] [rows]
# BASE=/path OTHER=/path override the two routes compared (`ID` is replaced by the counter's id).
# The app must be built (`pnpm --filter @troupe/app-<name> run build`).
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
APP="${1:?next|sveltekit|astro}"; SECS="${2:-6}"; ROWS="${3:-40}"
case "$APP" in
  next) ENTRY="server.js"; export NODE_ENV=production ;;
  sveltekit) ENTRY="build" ;;
  astro) ENTRY="dist/server/entry.mjs"; export ASTRO_TELEMETRY_DISABLED=1 ;;
  *) echo "unknown app $APP" >&2; exit 2 ;;
esac
OUT="$(mktemp -d /tmp/troupe-prof-$APP-XXXX)"
PORT="$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')"
URL="http://127.0.0.1:$PORT"
AC="$ROOT/bench/node_modules/.bin/autocannon"

(cd "$ROOT/apps/$APP" && PORT=$PORT HOST=127.0.0.1 TROUPE_DATA_DIR="$OUT/data" TROUPE_PROF_OUT="$OUT/prof.cpuprofile" \
  exec node --import "$HERE/tools/prof-preload.mjs" "$ENTRY") > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -s -o /dev/null "$URL/" && break; sleep 0.1; done
ID="$(curl -s -X PUT -H 'content-type: application/json' -d '{"name":"counter","key":["bench"]}' "$URL/api/actors/actors" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).actorId))')"
OWN="${BASE:-/bench/count}"; OWN="${OWN//ID/$ID}"
ACTOR="${OTHER:-/api/actors/gateway/ID/request/count}"; ACTOR="${ACTOR//ID/$ID}"
for p in "$OWN" "$ACTOR"; do echo "$p -> $(curl -s "$URL$p")"; "$AC" -c 10 -d 3 "$URL$p" > /dev/null 2>&1; done

measure() { # measure <label> <path>: prints the request count
  kill -USR2 $PID; sleep 0.3
  "$AC" -c 10 -d "$SECS" -j "$URL$2" > "$OUT/$1.json" 2>/dev/null
  kill -USR2 $PID
  for _ in $(seq 100); do [ -s "$OUT/prof.cpuprofile" ] && break; sleep 0.1; done
  sleep 0.5; mv "$OUT/prof.cpuprofile" "$OUT/$1.cpuprofile"
  node -e 'const r=require(process.argv[1]);console.log(r.requests.total)' "$OUT/$1.json"
}
N_OWN="$(measure own "$OWN")"
N_ACTOR="$(measure actor "$ACTOR")"
echo "requests: own $N_OWN, actor $N_ACTOR"
node "$HERE/tools/profile-diff.ts" "$OUT/own.cpuprofile" "$N_OWN" "$OUT/actor.cpuprofile" "$N_ACTOR" "$ROWS" | tee "$OUT/diff.txt"
echo "profiles: $OUT"

#!/usr/bin/env bash
# Profiles the Troupe row-3 server under load: node --cpu-prof on the server, autocannon from
# another process. Usage: bash profile-troupe.sh [host] [seconds]   (host: serve | hono | whatwg | srvx)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
HOST="${1:-serve}"; SECS="${2:-5}"
OUT="$(mktemp -d /tmp/troupe-prof-XXXX)"
CFG="{\"host\":\"$HOST\",\"store\":\"memory\",\"actor\":\"ok\",\"actors\":1,\"path\":\"/ok\",\"pathsFile\":\"$OUT/paths.json\",\"dataDir\":\"$OUT/data\"}"
node --cpu-prof --cpu-prof-dir="$OUT" "$HERE/servers/troupe.ts" "$CFG" > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^ready' "$OUT/server.log" && break; sleep 0.1; done
URL="$(sed -n 's/^ready \(\S*\).*/\1/p' "$OUT/server.log")$(node -e "console.log(JSON.parse(require('fs').readFileSync('$OUT/paths.json'))[0])")"
"$HERE/../node_modules/.bin/autocannon" -c 10 -d "$SECS" "$URL" 2>&1 | grep -E "Req/Sec|Latency|requests in" || true
kill -TERM $PID; wait $PID || true
trap - EXIT
node "$HERE/tools/profile-top.ts" "$OUT"/*.cpuprofile 25
echo "profile: $(ls "$OUT"/*.cpuprofile)"

#!/usr/bin/env bash
# One entry point for newcomers and CI:
#   bash scripts/run.sh demo     install what is missing, build, start the demo server
#   bash scripts/run.sh test     install what is missing, run the whole test suite
#   bash scripts/run.sh bench    install what is missing, run the benchmarks (pass --quick)
# It provisions Node 24 and pnpm outside the repository (idempotently), because the system
# Node here may be 20, which current Astro, SvelteKit, vitest and changesets refuse.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${TROUPE_TOOLS_DIR:-$HOME/.cache/troupe-tools}"
NODE_MAJOR=24
PNPM_VERSION=10.34.9

log() { printf '[troupe] %s\n' "$*" >&2; }

ensure_node() {
  # Astro 7 wants >= 22.23, so anything older than 24 gets our own Node 24.
  if command -v node >/dev/null && [[ "$(node -p 'process.versions.node.split(".")[0]')" -ge "$NODE_MAJOR" ]]; then
    return
  fi
  local bin="$TOOLS/node$NODE_MAJOR/node_modules/.bin"
  if [[ ! -x "$bin/node" ]]; then
    log "installing Node $NODE_MAJOR from the npm registry into $TOOLS"
    mkdir -p "$TOOLS"
    npm install --loglevel=error --no-audit --no-fund --prefix "$TOOLS/node$NODE_MAJOR" "node@$NODE_MAJOR" >&2
  fi
  export PATH="$bin:$PATH"
}

ensure_pnpm() {
  if command -v pnpm >/dev/null && [[ "$(pnpm --version)" == "$PNPM_VERSION" ]]; then return; fi
  local bin="$TOOLS/pnpm/node_modules/.bin"
  if [[ ! -x "$bin/pnpm" ]]; then
    log "installing pnpm $PNPM_VERSION into $TOOLS"
    npm install --loglevel=error --no-audit --no-fund --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
}

ensure_chromium() {
  if command -v chromium >/dev/null || [[ -n "${CHROMIUM_PATH:-}" ]]; then return; fi
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    log "installing Debian chromium (browser tests)"
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  else
    log "chromium is missing and cannot be installed without root: browser tests will fail"
  fi
}

install_deps() {
  cd "$ROOT"
  pnpm install --frozen-lockfile --prefer-offline >&2 || pnpm install >&2
}

cmd="${1:-test}"
shift || true
ensure_node
ensure_pnpm
log "node $(node --version), pnpm $(pnpm --version)"
case "$cmd" in
  demo)
    install_deps
    exec pnpm start "$@"
    ;;
  test)
    ensure_chromium
    install_deps
    exec node "$ROOT/scripts/test.mjs" "$@"
    ;;
  bench)
    install_deps
    exec pnpm bench "$@"
    ;;
  env)
    # `eval "$(bash scripts/run.sh env)"` puts this Node and pnpm on your PATH.
    echo "export PATH=\"$(dirname "$(command -v node)"):$(dirname "$(command -v pnpm)"):\$PATH\""
    ;;
  *)
    log "usage: bash scripts/run.sh demo|test|bench|env"
    exit 2
    ;;
esac

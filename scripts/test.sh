#!/usr/bin/env bash
# The whole suite: on SQLite, then on a throw-away PostgreSQL cluster on loopback.
#   scripts/test.sh            both
#   scripts/test.sh sqlite     SQLite only
#   scripts/test.sh postgres   PostgreSQL only
# Extra pytest arguments: PYTEST_ARGS="-k quota" scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
which_db="${1:-all}"
PY=.venv/bin/python
export LINGJUN_SECRET_KEY="${LINGJUN_SECRET_KEY:-test-secret-key-for-the-suite-only-0123456789}"
mkdir -p test-artifacts

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

ensure_debian_packages() {
  # Browser tests need Debian's Chromium; the PostgreSQL run needs the server. Installed once, here,
  # so a fresh machine needs nothing but this repository.
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ "$which_db" != sqlite ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

run_pytest() {
  local label="$1"; shift
  echo "== pytest on $label"
  set +e
  $PY -m pytest ${PYTEST_ARGS:-} "$@"
  local rc=$?
  set -e
  if [ $rc -ne 0 ]; then echo "== FAILED on $label (exit $rc)"; exit $rc; fi
}

ensure_debian_packages

if [ "$which_db" = all ] || [ "$which_db" = sqlite ]; then
  (unset DATABASE_URL; run_pytest SQLite)
fi

if [ "$which_db" = all ] || [ "$which_db" = postgres ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  PGDIR=$(mktemp -d /tmp/lingjun-pg.XXXXXX)
  PGPORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  RUNAS=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PGDIR"
    RUNAS=(runuser -u postgres --)
  fi
  cleanup() { "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
  trap cleanup EXIT
  "${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U lingjun --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  "${RUNAS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U lingjun lingjun
  export DATABASE_URL="postgres://lingjun@127.0.0.1:$PGPORT/lingjun"
  echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"
  run_pytest PostgreSQL
fi

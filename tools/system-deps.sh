#!/usr/bin/env bash
# The system packages the tests need, installed on a fresh Debian/Ubuntu machine:
#   postgresql-15-postgis-3   the store tests on PostgreSQL+PostGIS (required, never skipped)
#   chromium                  the browser tests (Playwright drives Debian's chromium)
#   libreoffice-writer-nogui  the snapshot tests convert DOCX to PDF as the council would
#   poppler-utils             ... and read the PDFs (pdftotext, pdftoppm)
#   nodejs, npm               when npm is missing: the browser tests' pinned JavaScript
#   nodejs, npm               test-side JavaScript (tests/js: axe-core, oidc-provider), when
#                             node or npm is not on the PATH already
# and PostgreSQL started when it is down. Quick (a few dpkg look-ups) when all is in place.
# Without apt or without the rights to use it, it prints the exact commands and exits 1.
# `make test` runs it first; set MAPAPP_SKIP_SYSTEM_DEPS=1 to skip it (you manage them).
# `tools/system-deps.sh run` (what `make run` calls) only makes sure Python's venv module is
# there: running the app needs nothing else from the system.
set -euo pipefail
MODE="${1:-test}"

if [ "${MAPAPP_SKIP_SYSTEM_DEPS:-}" = "1" ]; then
  exit 0
fi

PACKAGES=(postgresql-15-postgis-3 chromium libreoffice-writer-nogui poppler-utils)
if [ "$MODE" = "run" ]; then
  PACKAGES=()
fi
PG_HOST=127.0.0.1
PG_PORT=5432

say() { printf 'system-deps: %s\n' "$*" >&2; }

missing=()
if command -v dpkg >/dev/null 2>&1; then
  for p in "${PACKAGES[@]+"${PACKAGES[@]}"}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
elif [ "$MODE" != "run" ]; then
  # Not Debian: check for the programs themselves.
  command -v pg_ctl >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 || missing+=(postgresql-15-postgis-3)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
fi
# The test-side JavaScript (tools/test-js-deps.sh) needs node >= 20 and npm, from anywhere.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The browser tests' pinned JavaScript (tools/test-js-deps.sh) needs node and npm.
if [ "$MODE" != "run" ] && command -v apt-get >/dev/null 2>&1 && ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
# `make install` creates .venv with the system Python: Debian keeps venv/ensurepip apart.
if command -v dpkg >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=("python3-venv")
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    SUDO=(none)
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1 || [ "${SUDO[0]:-}" = "none" ]; then
    say "saknas / missing: ${missing[*]}"
    say "kör som root / run as root (Debian 12 / Ubuntu):"
    printf '    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
    printf '    pg_ctlcluster 15 main start\n' >&2
    say "eller sätt / or set MAPAPP_SKIP_SYSTEM_DEPS=1 om du ordnar dem själv / if you manage them yourself"
    exit 1
  fi
  say "installerar / installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$MODE" = "run" ]; then
  exit 0
fi

# The tests log in as postgres on 127.0.0.1 without a password (a test server). A fresh
# Debian cluster asks for one there; as root, allow that one login and reload.
check_login() {
  PGCONNECT_TIMEOUT=5 psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -w -Atqc 'SELECT 1' \
    >/dev/null 2>&1 && return 0
  local hba
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf 2>/dev/null | head -n1 || true)
  if [ -z "$hba" ] || [ "${SUDO[0]:-}" = "none" ]; then
    say "kan inte logga in som postgres på / cannot log in as postgres on $PG_HOST:$PG_PORT;"
    say "lägg till / add 'host all postgres 127.0.0.1/32 trust' first in pg_hba.conf, or set MAPAPP_TEST_POSTGRES_URL"
    exit 1
  fi
  say "tillåter / allowing postgres@127.0.0.1 without password for the tests ($hba)"
  "${SUDO[@]}" sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$(basename "$(dirname "$(dirname "$hba")")")" main reload
  sleep 1
  PGCONNECT_TIMEOUT=5 psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -w -Atqc 'SELECT 1' \
    >/dev/null 2>&1 || { say "inloggningen misslyckas fortfarande / login still fails"; exit 1; }
}

# PostgreSQL up? (Only the local server; MAPAPP_TEST_POSTGRES_URL may point elsewhere.)
if [ -n "${MAPAPP_TEST_POSTGRES_URL:-}" ]; then
  exit 0
fi
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  check_login
  exit 0
fi
if command -v pg_lsclusters >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null 2>&1; then
  read -r version cluster _ < <(pg_lsclusters --no-header | head -n1) || true
  if [ -z "${version:-}" ]; then
    say "inget PostgreSQL-kluster / no PostgreSQL cluster; run: pg_createcluster 15 main --start"
    exit 1
  fi
  if [ "${SUDO[0]:-}" = "none" ]; then
    say "PostgreSQL är nere / is down; run as root: pg_ctlcluster $version $cluster start"
    exit 1
  fi
  say "startar / starting PostgreSQL $version/$cluster"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
  for _ in $(seq 1 30); do
    if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
      check_login
      exit 0
    fi
    sleep 1
  done
  say "PostgreSQL svarar inte på / does not answer on $PG_HOST:$PG_PORT"
  exit 1
fi
say "PostgreSQL svarar inte på / does not answer on $PG_HOST:$PG_PORT; start it (pg_ctlcluster 15 main start)"
exit 1

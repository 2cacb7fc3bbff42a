#!/usr/bin/env bash
# Installs the JavaScript the tests need (tests/js/package.json: axe-core, oidc-provider), at
# the exact versions of tests/js/package-lock.json, from the npm registry -- never a CDN.
# Idempotent: does nothing when node_modules already matches the lock file. Called by
# `make test`; needs node >= 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/../tests/js"
if ! command -v npm >/dev/null 2>&1; then
  echo "test-js-deps: npm saknas / npm is missing (install Node.js 20+ and npm)" >&2
  exit 1
fi
stamp=node_modules/.mapapp-installed
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt package.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"

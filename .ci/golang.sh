#!/usr/bin/env bash
# Installs Go from Debian so the opt-in `go tool pprof` parity suite (test/profiles/parity.test.ts) runs in CI.
set -euo pipefail
if command -v go >/dev/null 2>&1; then
  echo "go already installed: $(go version)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends golang-go >/dev/null
echo "installed: $(go version)"

#!/usr/bin/env bash
# Installs Debian's Chromium for the HTML report test (test/visuals/html-report.test.ts), which opens
# the report headless through puppeteer-core (no browser download from npm). The test skips itself
# when Chromium is missing. Non-interactive and idempotent.
set -euo pipefail

for c in chromium chromium-browser; do
  if command -v "$c" >/dev/null 2>&1; then
    echo "chromium already installed: $("$c" --version 2>/dev/null | head -1)"
    exit 0
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "installed: $(chromium --version 2>/dev/null | head -1)"

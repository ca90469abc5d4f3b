#!/usr/bin/env bash
# Installs Prometheus + promtool from Debian for the metrics parity suite (test/metrics/prometheus-parity.test.ts).
# Non-interactive and idempotent. The suite starts its own server on 127.0.0.1 with a temporary TSDB,
# so the Debian service is neither needed nor left running.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  echo "prometheus already installed: $(prometheus --version 2>&1 | head -1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Keep package scripts from starting the service (no-op where there is no init system).
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  CREATED_POLICY=1
fi
cleanup() { if [ "$CREATED_POLICY" = 1 ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null

# If an init system started the packaged service anyway, stop and disable it: the tests bring their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  $SUDO systemctl stop prometheus || true
  $SUDO systemctl disable prometheus || true
fi

echo "installed: $(prometheus --version 2>&1 | head -1)"
command -v promtool >/dev/null

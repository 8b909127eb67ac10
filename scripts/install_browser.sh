#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/system/) when it is missing. Playwright
# drives it at /usr/bin/chromium; Playwright's own browser downloads are never used.
set -euo pipefail
browser=/usr/bin/chromium
if [ -x "$browser" ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium >/dev/null
"$browser" --version

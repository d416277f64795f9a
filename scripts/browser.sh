#!/usr/bin/env bash
# For the test suite only: Debian's Chromium and its chromedriver, with which the
# integration tests open the matrix and a game day's report as a reader would.
# Skipped when both are there. Needs root and the machine's Debian mirror.
set -euo pipefail
started=$(date +%s%N)
elapsed() { local ds=$(( ($(date +%s%N) - started) / 100000000 )); echo "$((ds / 10)).$((ds % 10)) s"; }
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "✓ browser for the tests: present ($(/usr/bin/chromium --version 2>/dev/null | head -1)) [$(elapsed)]"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: Chromium is missing and installing it needs root. Fix: run as root, or apt-get install chromium chromium-driver" >&2
  exit 1
fi
echo "… browser for the tests: installing Debian's chromium and chromium-driver"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
echo "✓ browser for the tests: made ($(/usr/bin/chromium --version 2>/dev/null | head -1)) in $(elapsed)"

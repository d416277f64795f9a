#!/usr/bin/env bash
# For the test suite only, the real clients the integration tests use beside our
# own: Debian's Chromium and its chromedriver (to open the matrix and a game day's
# report as a reader would) and swaks (an SMTP client of another make, over TLS).
# Skipped when all are there. Needs root and the machine's Debian mirror.
set -euo pipefail
started=$(date +%s%N)
elapsed() { local ds=$(( ($(date +%s%N) - started) / 100000000 )); echo "$((ds / 10)).$((ds % 10)) s"; }
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -x /usr/bin/swaks ]; then
  echo "✓ clients for the tests: present ($(/usr/bin/chromium --version 2>/dev/null | head -1); $(/usr/bin/swaks --version | head -1)) [$(elapsed)]"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: Chromium or swaks is missing and installing them needs root. Fix: run as root, or apt-get install chromium chromium-driver swaks" >&2
  exit 1
fi
echo "… clients for the tests: installing Debian's chromium, chromium-driver and swaks"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver swaks >/dev/null
echo "✓ clients for the tests: made ($(/usr/bin/chromium --version 2>/dev/null | head -1)) in $(elapsed)"

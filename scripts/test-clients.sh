#!/usr/bin/env bash
# For the test suite only, the real clients the integration tests use beside our
# own: Debian's Chromium and its chromedriver (to open the matrix and a game day's
# report as a reader would), swaks (an SMTP client of another make, over TLS) and age
# (Debian's, to open the vault's sealed backups with the stack's key, as an operator would).
# Skipped when all are there. Needs root and the machine's Debian mirror.
set -euo pipefail
started=$(date +%s%N)
elapsed() { local ds=$(( ($(date +%s%N) - started) / 100000000 )); echo "$((ds / 10)).$((ds % 10)) s"; }
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -x /usr/bin/swaks ] && [ -x /usr/bin/age ]; then
  echo "✓ clients for the tests: present ($(/usr/bin/chromium --version 2>/dev/null | head -1); $(/usr/bin/swaks --version | head -1); age $(/usr/bin/age --version)) [$(elapsed)]"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: Chromium, swaks or age is missing and installing them needs root. Fix: run as root, or apt-get install chromium chromium-driver swaks age" >&2
  exit 1
fi
echo "… clients for the tests: installing Debian's chromium, chromium-driver, swaks and age"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver swaks age >/dev/null
echo "✓ clients for the tests: made ($(/usr/bin/chromium --version 2>/dev/null | head -1)) in $(elapsed)"

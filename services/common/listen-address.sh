#!/bin/bash
# usage: listen-address NAME...
#
# Prints the IPv4 address each NAME resolves to, one per line: the names the
# deployment gives a container for its address on each network it serves
# (infra/listen.py), resolved by Docker's DNS. A name not resolvable yet is
# asked again for up to 15 s; then this fails naming it.
set -euo pipefail
for name in "$@"; do
  for _ in $(seq 1 75); do
    address=$(getent ahostsv4 "$name" | awk 'NR == 1 { print $1 }') || true
    [ -n "$address" ] && break
    sleep 0.2
  done
  if [ -z "$address" ]; then
    echo "listen-address: cannot resolve $name, the name to listen on" >&2
    exit 1
  fi
  echo "$address"
done

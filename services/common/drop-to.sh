#!/bin/sh
# usage: drop-to USER COMMAND [ARG...]
#
# Secrets are uploaded at deploy into /run/secrets, owned by root, mode 0400
# (Docker 20.10 resolves an upload's owner against the host's users, so the
# deploy cannot give them to the service user itself). This hands them to
# USER, then runs COMMAND as USER with no capabilities: the service never
# runs as root, and no other user of the container can read its secrets.
set -eu
user=$1
shift
if [ -d /run/secrets ] && [ -n "$(ls -A /run/secrets)" ]; then
  chown "$user:" /run/secrets/*
  chmod 0400 /run/secrets/*
fi
exec setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=-all --bounding-set=-all -- "$@"

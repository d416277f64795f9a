#!/bin/bash
# usage: restore-from-vault VAULT_DIR|VAULT_URL [--without-partial]
#
# VAULT_URL is the vault's HTTPS export on the backup link (a restore in
# another room); its files are fetched first, then restored as from a folder.
# Makes $PGDATA from the vault's newest base backup and every WAL file it
# holds, including the partial segment pg_receivewal is still writing
# (renamed without its .partial suffix): recovery then replays up to the last
# commit the vault flushed, which is every commit acknowledged to a client.
# Runs as root, to read the vault's files; leaves $PGDATA to postgres.
# --without-partial leaves that segment out: the negative control, which
# must lose the newest commits.
# The vault holds its base backups and completed WAL segments sealed with
# age to the stack's backup key (`<name>.age`); they are opened here with
# its identity, /run/secrets/backup_key (BACKUP_KEY_FILE), which only the
# restore path holds. Files in clear (the partial segment, or a vault that
# predates sealing) are taken as they are.
set -euo pipefail
key=${BACKUP_KEY_FILE:-/run/secrets/backup_key}
# open_sealed SEALED [OUT]: decrypt SEALED into OUT (stdout when left out), or say why not and stop.
open_sealed() {
  if [ ! -r "$key" ]; then
    echo "restore-from-vault: $1 is sealed and there is no backup key at $key: deploy with drill up, which gives the array the stack's key" >&2
    exit 1
  fi
  if ! age --decrypt --identity "$key" ${2:+--output "$2"} "$1"; then
    echo "restore-from-vault: cannot open $1 with the backup key $key: the vault sealed it to another key (another stack's, or one made again)" >&2
    exit 1
  fi
}
vault=${1:?usage: restore-from-vault VAULT_DIR|VAULT_URL [--without-partial]}
with_partial=yes
[ "${2:-}" = "--without-partial" ] && with_partial=no
take=cp
case "$vault" in
  http://*)
    echo "restore-from-vault: the vault's export speaks HTTPS only: give https://, not $vault" >&2
    exit 1
    ;;
  https://*)
    fetched=$PGDATA/../restore-source
    rm -rf "$fetched"
    VAULT_TOKEN_FILE=/run/secrets/vault_token vault-fetch postgres "$vault" "$fetched"
    vault=$fetched
    take=mv  # our own copy: moved, not written a second time
    ;;
esac

newest=$(find "$vault/base" -mindepth 1 -maxdepth 1 -type d ! -name '*.partial' -printf '%f\n' | sort | tail -n 1)
if [ -z "$newest" ]; then
  echo "restore-from-vault: no base backup in $vault/base" >&2
  exit 1
fi
if [ -s "$PGDATA/PG_VERSION" ]; then
  echo "restore-from-vault: $PGDATA already holds a database; restore only into an empty one" >&2
  exit 1
fi
mkdir -p "$PGDATA"
chmod 700 "$PGDATA"
if [ -f "$vault/base/$newest/base.tar.age" ]; then
  # The vault streamed pg_basebackup's output, which carries the backup's manifest inside.
  open_sealed "$vault/base/$newest/base.tar.age" | tar -xf - -C "$PGDATA" --exclude=backup_manifest
else
  tar -xf "$vault/base/$newest/base.tar" -C "$PGDATA"
fi
[ "$take" = mv ] && rm -rf "${vault:?}/base"  # extracted: our fetched copy of it is not needed

# A fetch holds only the WAL from the base backup's start (the export's restore
# set); a local vault folder holds all, of which recovery asks only for what it needs.
wal=$PGDATA/../restore-wal
rm -rf "$wal"
mkdir -p "$wal"
for file in "$vault"/wal/*; do
  name=$(basename "$file")
  case "$name" in
    *.partial) [ "$with_partial" = yes ] && $take "$file" "$wal/${name%.partial}" ;;
    *.age)
      open_sealed "$file" "$wal/${name%.age}"
      [ "$take" = mv ] && rm -f "$file"
      ;;
    *) $take "$file" "$wal/$name" ;;
  esac
done
cat >> "$PGDATA/postgresql.auto.conf" <<CONF
restore_command = 'cp $wal/%f %p'
recovery_target_timeline = 'latest'
CONF
touch "$PGDATA/recovery.signal"
# Run as root (the vault's files belong to its own user); the result is postgres's.
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PGDATA" "$wal"
echo "restore-from-vault: base backup $newest and $(find "$wal" -type f | wc -l) WAL files (partial segment: $with_partial)"

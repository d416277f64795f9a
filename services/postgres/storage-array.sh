#!/bin/bash
# The storage array's database server: PostgreSQL 15 holding the
# appointments and lab-results databases.
#
# Every commit waits until the backup vault's WAL receiver (application
# name `vault`) has flushed it: an acknowledged commit is already in
# another room. Secrets come as files in /run/secrets, uploaded at deploy.
set -euo pipefail

secret() { tr -d '\n' < "/run/secrets/$1"; }
sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

initialise() {
  echo "storage-array: initialising $PGDATA"
  initdb --pgdata="$PGDATA" --username=postgres --auth-local=peer --auth-host=scram-sha-256 \
    --pwfile=/run/secrets/postgres_password --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '*'
wal_level = replica
max_wal_senders = 8
max_replication_slots = 8
synchronous_commit = on
wal_sender_timeout = 5s
log_min_messages = warning
CONF
  cat >> "$PGDATA/pg_hba.conf" <<HBA
host replication replicator all scram-sha-256
host all all all scram-sha-256
HBA
  pg_ctl --pgdata="$PGDATA" --wait --silent -o "-c listen_addresses=''" start
  psql --quiet --set ON_ERROR_STOP=1 --username=postgres <<SQL
CREATE ROLE replicator WITH LOGIN REPLICATION PASSWORD $(sql_literal "$(secret replication_password)");
CREATE ROLE appointments WITH LOGIN PASSWORD $(sql_literal "$(secret appointments_db_password)");
CREATE DATABASE appointments OWNER appointments;
SELECT pg_create_physical_replication_slot('vault');
SQL
  pg_ctl --pgdata="$PGDATA" --wait --silent stop
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initialise
fi
# Set at each start from the deploy, so that placement changes apply.
exec postgres -D "$PGDATA" -c "synchronous_standby_names=${SYNCHRONOUS_STANDBY-vault}"

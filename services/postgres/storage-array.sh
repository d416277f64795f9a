#!/bin/bash
# The storage array's database server: PostgreSQL 15 holding the
# appointments and lab-results databases.
#
# A data folder made by an earlier version gets what it lacks on start
# (roles and databases are created when missing).
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
  local_server start
  psql --quiet --set ON_ERROR_STOP=1 --username=postgres <<SQL
CREATE ROLE replicator WITH LOGIN REPLICATION;
CREATE ROLE appointments WITH LOGIN;
CREATE DATABASE appointments OWNER appointments;
CREATE ROLE lab WITH LOGIN;
CREATE DATABASE labresults OWNER lab;
SELECT pg_create_physical_replication_slot('vault', true);
SQL
  local_server stop
}

# The deployed secrets are the truth: set them at every start, so that a
# new secret in the stack config (a rotation) takes effect on redeploy.
# The vault's slot reserves WAL from its creation: without that, the first
# base backup's checkpoint could remove the segment the vault was about to
# stream from, and the slot then pointed the vault at it for ever
# ("requested WAL segment ... has already been removed"). A slot made
# without reserving (by an older version) is made again.
apply_secrets() {
  local_server start
  # A restored array replays the vault's WAL first; it takes writes once promoted.
  until [ "$(psql --username=postgres -Atc 'SELECT pg_is_in_recovery()')" = f ]; do sleep 0.2; done
  psql --quiet --set ON_ERROR_STOP=1 --username=postgres <<SQL
SELECT 'CREATE ROLE lab WITH LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lab')\gexec
SELECT 'CREATE DATABASE labresults OWNER lab'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'labresults')\gexec
ALTER ROLE postgres PASSWORD $(sql_literal "$(secret postgres_password)");
ALTER ROLE replicator PASSWORD $(sql_literal "$(secret replication_password)");
ALTER ROLE appointments PASSWORD $(sql_literal "$(secret appointments_db_password)");
ALTER ROLE lab PASSWORD $(sql_literal "$(secret lab_db_password)");
SELECT pg_drop_replication_slot('vault') FROM pg_replication_slots
  WHERE slot_name = 'vault' AND restart_lsn IS NULL AND NOT active;
SELECT pg_create_physical_replication_slot('vault', true)
  WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'vault');
SQL
  local_server stop
}

# A server on the Unix socket only, not waiting for the vault: for setup.
local_server() {
  pg_ctl --pgdata="$PGDATA" --wait --silent \
    -o "-c listen_addresses='' -c synchronous_standby_names=''" "$1"
}

# A recovered array (RESTORE_FROM: the vault's export) starts from the
# vault's copy, never from an empty database.
if [ ! -s "$PGDATA/PG_VERSION" ] && [ -n "${RESTORE_FROM:-}" ]; then
  restore-from-vault "$RESTORE_FROM" ${RESTORE_WITHOUT_PARTIAL:+--without-partial}
elif [ ! -s "$PGDATA/PG_VERSION" ]; then
  initialise
fi
apply_secrets
# Every client over the network speaks TLS and finds this server's name in its
# certificate (issued by the stack's CA, drill/tls.py): the network lines are
# hostssl, so plaintext is refused; set at each start, also on a data folder
# restored from the vault or made by an earlier version. The Unix socket and
# 127.0.0.1 serve this container's own tools.
sed -i -E 's/^host( +replication +replicator +all | +all +all +all )/hostssl\1/' "$PGDATA/pg_hba.conf"
# Set at each start from the deploy, so that placement changes apply.
exec postgres -D "$PGDATA" -c "synchronous_standby_names=${SYNCHRONOUS_STANDBY-vault}" \
  -c ssl=on -c ssl_cert_file=/run/secrets/postgres_tls_cert -c ssl_key_file=/run/secrets/postgres_tls_key \
  -c ssl_min_protocol_version=TLSv1.2

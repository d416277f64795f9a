"""Delivery from the journal to the results database, and the check of the path to it.

The forwarder delivers journaled results whenever the database answers,
STAT first, re-sorting after each one; while it does, the journal says
"delivering" and ACKs may wait for their result to be stored. The database
(on the storage array, replicated to the vault in another room) is reached
with tight timeouts, so a lost array pauses delivery within seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import psycopg2
import psycopg2.extensions

from services.lab_gateway.journal import Entry, Journal

CONNECT_TIMEOUT_S = 1
# While idle, how often the forwarder checks that the database still answers.
PING_S = 1.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    control_id TEXT PRIMARY KEY,
    patient TEXT NOT NULL,
    order_id TEXT NOT NULL,
    priority TEXT NOT NULL,
    observations JSONB NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    raw TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_patient ON results (patient);
CREATE INDEX IF NOT EXISTS results_order ON results (order_id);
"""


def connect() -> psycopg2.extensions.connection:
    """A connection to the results database (DB_HOST) as the lab user, with tight timeouts."""
    password = Path("/run/secrets/lab_db_password").read_text().strip()
    return psycopg2.connect(
        host=os.environ["DB_HOST"],
        dbname="labresults",
        user="lab",
        password=password,
        connect_timeout=CONNECT_TIMEOUT_S,
        tcp_user_timeout=3000,
        options="-c statement_timeout=3000",
    )


def forward(journal: Journal) -> None:
    """Deliver pending results forever, STAT first, re-sorting after each one."""
    schema_ready = False
    while True:
        try:
            conn = connect()
            if not schema_ready:
                with conn, conn.cursor() as cursor:
                    cursor.execute(SCHEMA)
                schema_ready = True
            journal.set_delivering(True)
            deliver_while_connected(journal, conn)
        except (psycopg2.Error, OSError) as exc:
            journal.set_delivering(False)
            print(
                f"lab-gateway: delivery paused: {str(exc).strip().splitlines()[0:1]}",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(0.5)


def deliver_while_connected(journal: Journal, conn: psycopg2.extensions.connection) -> None:
    """Deliver what waits, one result at a time, until the database fails (psycopg2.Error or OSError)."""
    checked = time.monotonic()
    while True:
        waiting = journal.pending()
        if waiting:
            deliver(conn, waiting[0])
            journal.mark_delivered(str(waiting[0]["control_id"]))
        elif time.monotonic() - checked >= PING_S:
            # Idle: make sure "delivering" still tells the truth.
            with conn, conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            checked = time.monotonic()
        else:
            journal.wait_for_work(PING_S)


def deliver(conn: psycopg2.extensions.connection, entry: Entry) -> None:
    """Insert one result (idempotent on MSH-10) and commit."""
    with conn, conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO results (control_id, patient, order_id, priority, observations, received_at, raw)"
            " VALUES (%s, %s, %s, %s, %s, to_timestamp(%s), %s) ON CONFLICT (control_id) DO NOTHING",
            (
                entry["control_id"],
                entry["patient"],
                entry["order"],
                entry["priority"],
                json.dumps(entry["observations"]),
                entry["received_at"],
                entry["raw"],
            ),
        )


def storage_check() -> int:
    """Whether the gateway can use the results database through its own path: a connect and a query.

    The recovery plan runs this in the gateway's container to judge storage
    damage from where the service stands; it prints what it saw and returns
    the exit code (0 when the database answered).
    """
    started = time.monotonic()
    try:
        conn = connect()
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute("SELECT 1")
        finally:
            conn.close()
    except (psycopg2.Error, OSError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"results database: no answer in {time.monotonic() - started:.2f} s: {reason}")
        return 1
    print(f"results database: answered a query in {time.monotonic() - started:.2f} s")
    return 0

"""The appointment app's access to its PostgreSQL: one statement per transaction, under a deadline.

Every call answers by its deadline, whatever the database does. libpq alone
cannot promise that: its connect_timeout is at least 2 s (a value of 1 is
taken as 2), a cancel request (PQcancel) to a frozen server never returns,
and psycopg2 holds the interpreter's lock while it waits, so one such call
stops every thread of the app; and a connection whose peer went silent waits
for TCP. So each statement runs in a
worker thread and the caller waits for it until the deadline. When the
deadline passes first:
- if the statement was never sent, the worker is told to drop it (it checks
  before sending, under the same lock): the answer "not done" is true;
- if it was sent, a write's outcome is unknown (it may still commit) and the
  statement is cancelled, best effort, in the background: by
  pg_cancel_backend over a connection of its own (which waits, if it must,
  in libpq's connect, where psycopg2 lets the other threads run), never by
  PQcancel.
A worker left behind ends within the socket's own limits (TCP user timeout
and keepalives), or when its server is gone.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import psycopg2.errors
import psycopg2.extensions

# libpq rounds a connect_timeout of 1 up to 2; the deadline below is what bounds a request.
CONNECT_TIMEOUT_S = 2
STATEMENT_TIMEOUT_MS = 1500
# A request answers by this deadline (a commit waiting for the vault is not
# covered by statement_timeout: at this deadline it becomes outcome-unknown).
DEADLINE_S = 1.7
UNKNOWN_NOTICE = "canceling wait for synchronous replication"
Rows = list[tuple[object, ...]]


class Unavailable(Exception):
    """The database cannot be reached or did not answer in time: nothing was done."""


class OutcomeUnknown(Exception):
    """The write may or may not have happened (its commit or its replication wait was cut)."""


class Conflict(Exception):
    """The slot is already booked."""


def connect() -> psycopg2.extensions.connection:
    """A fresh connection with tight timeouts and keepalives; raises Unavailable."""
    password = Path("/run/secrets/appointments_db_password").read_text().strip()
    try:
        return psycopg2.connect(
            host=os.environ["DB_HOST"],
            dbname="appointments",
            user="appointments",
            password=password,
            connect_timeout=CONNECT_TIMEOUT_S,
            tcp_user_timeout=STATEMENT_TIMEOUT_MS,
            keepalives=1,
            keepalives_idle=2,
            keepalives_interval=1,
            keepalives_count=2,
            options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
        )
    except psycopg2.OperationalError as exc:
        raise Unavailable(first_line(exc)) from exc


def first_line(exc: BaseException) -> str:
    """The first line of an error's text, or "no answer" when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no answer"


def execute(conn: psycopg2.extensions.connection, sql: str, args: tuple[object, ...], write: bool) -> Rows:
    """Run one statement in its own transaction on conn; raises Unavailable, OutcomeUnknown or Conflict."""
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, args)
            rows = cursor.fetchall() if cursor.description else []
        try:
            conn.commit()
        except psycopg2.OperationalError as exc:
            if write:
                raise OutcomeUnknown(f"the commit's outcome is unknown: {exc}".strip()) from exc
            raise Unavailable(first_line(exc)) from exc
        if write and any(UNKNOWN_NOTICE in notice for notice in conn.notices):
            raise OutcomeUnknown("committed locally, but its replication to the vault was not confirmed")
        return rows
    except psycopg2.errors.UniqueViolation as exc:
        raise Conflict("that slot is already booked in that clinic") from exc
    except (psycopg2.errors.QueryCanceled, psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
        # Before the commit nothing is done: a cancelled or cut statement rolls back.
        raise Unavailable(first_line(exc)) from exc
    finally:
        conn.close()


@dataclass
class Attempt:
    """One statement handed to a worker: what it has done so far, under a lock shared with the caller."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    finished: threading.Event = field(default_factory=threading.Event)
    dropped: bool = False
    sent: bool = False
    backend_pid: int = 0  # the server process running the statement, once sent
    rows: Rows = field(default_factory=list)
    error: Exception | None = None

    def send(self, conn: psycopg2.extensions.connection) -> bool:
        """Whether the worker may send its statement on conn (False once the caller gave up)."""
        backend_pid = conn.get_backend_pid()  # libpq's own record: no round trip
        with self.lock:
            if self.dropped:
                return False
            self.sent, self.backend_pid = True, backend_pid
            return True

    def give_up(self) -> bool:
        """The caller stops waiting; returns whether the statement was already sent."""
        with self.lock:
            self.dropped = True
            return self.sent


def work(attempt: Attempt, sql: str, args: tuple[object, ...], write: bool) -> None:
    """The worker: connect, then send the statement unless the caller already gave up."""
    try:
        conn = connect()
        if not attempt.send(conn):
            conn.close()
            return
        attempt.rows = execute(conn, sql, args, write)
    except Exception as exc:  # handed to the caller, who raises it
        attempt.error = exc
    finally:
        attempt.finished.set()


def cancel(backend_pid: int) -> None:
    """Ask the server to cancel the statement its process backend_pid runs, over a connection of
    its own (pg_cancel_backend); a server that is gone or frozen is ignored."""
    try:
        conn = connect()
    except Unavailable:
        return
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_cancel_backend(%s)", (backend_pid,))
    except psycopg2.Error:
        return
    finally:
        conn.close()


def run(sql: str, args: tuple[object, ...] = (), write: bool = False, by: float | None = None) -> Rows:
    """Run one statement in its own transaction, answering by `by` (monotonic; default now + DEADLINE_S).

    Raises Unavailable (nothing done), OutcomeUnknown (a write that may have
    happened) or Conflict.
    """
    by = time.monotonic() + DEADLINE_S if by is None else by
    attempt = Attempt()
    threading.Thread(target=work, args=(attempt, sql, args, write), daemon=True).start()
    if attempt.finished.wait(max(0.0, by - time.monotonic())):
        if attempt.error is not None:
            raise attempt.error
        return attempt.rows
    if not attempt.give_up():
        raise Unavailable(f"the database did not accept a connection within {DEADLINE_S} s")
    threading.Thread(target=cancel, args=(attempt.backend_pid,), daemon=True).start()
    if write:
        raise OutcomeUnknown(f"the database did not confirm the write within {DEADLINE_S} s: it may exist")
    raise Unavailable(f"the database did not answer within {DEADLINE_S} s")

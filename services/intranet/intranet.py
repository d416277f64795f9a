"""The hospital intranet: staff directory, on-call roster and procedures.

Each replica keeps its own copy of the data in SQLite under --data, seeded
the same way on every replica, so that no replica depends on another room's
storage. Standard library only: it runs on the bare base image plus python3.

Run as `python3 -m services.intranet.intranet --data DIR --port PORT`
(`--check`: the health check).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import sys
import threading
from http import HTTPStatus
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

from services.common.http_service import JsonHandler, QuietServer, http_check
from services.common.listen import serve_all

STAFF = 7300
SEED = 20251107
DEPARTMENTS = (
    "Emergency",
    "Cardiology",
    "Biology",
    "Radiology",
    "Paediatrics",
    "Surgery",
    "Oncology",
    "Neurology",
    "Maternity",
    "Intensive care",
    "Pharmacy",
    "IT",
    "Administration",
    "Psychiatry",
)
ROLES = ("Physician", "Resident", "Nurse", "Midwife", "Technician", "Pharmacist", "Secretary", "Engineer")
FIRST = ("Anne", "Paul", "Lucie", "Marc", "Chloé", "Hugo", "Emma", "Louis", "Inès", "Jules", "Sarah", "Noah")
LAST = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau")
ROSTER_DAYS = 14
PROCEDURES = 60


def seed(db: sqlite3.Connection) -> None:
    """Create and fill the tables, identically on every replica."""
    rng = random.Random(SEED)  # noqa: S311 - sample data, not security
    db.executescript(
        """
        CREATE TABLE staff (id INTEGER PRIMARY KEY, name TEXT, role TEXT, department TEXT, phone TEXT);
        CREATE INDEX staff_name ON staff(name);
        CREATE TABLE oncall (day TEXT, department TEXT, staff_id INTEGER);
        CREATE TABLE procedures (id INTEGER PRIMARY KEY, title TEXT, department TEXT, body TEXT);
        """
    )
    staff = [
        (
            i,
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            rng.choice(ROLES),
            rng.choice(DEPARTMENTS),
            f"+33 4 77 {i:05d}",
        )
        for i in range(1, STAFF + 1)
    ]
    db.executemany("INSERT INTO staff VALUES (?, ?, ?, ?, ?)", staff)
    start = dt.date(2025, 11, 7)
    db.executemany(
        "INSERT INTO oncall VALUES (?, ?, ?)",
        [
            ((start + dt.timedelta(days=d)).isoformat(), dep, rng.randint(1, STAFF))
            for d in range(ROSTER_DAYS)
            for dep in DEPARTMENTS
        ],
    )
    db.executemany(
        "INSERT INTO procedures VALUES (?, ?, ?, ?)",
        [
            (i, f"Procedure {i:03d}", rng.choice(DEPARTMENTS), f"Step-by-step procedure {i}.")
            for i in range(1, PROCEDURES + 1)
        ],
    )
    db.commit()


def open_database(data: Path) -> sqlite3.Connection:
    """Open the replica's database, seeding it on first start."""
    path = data / "intranet.db"
    fresh = not path.exists()
    db = sqlite3.connect(path, check_same_thread=False)
    if fresh:
        seed(db)
    return db


class Intranet:
    """The queries the pages and the API answer."""

    def __init__(self, db: sqlite3.Connection, replica: str) -> None:
        self.db = db
        self.replica = replica
        self.lock = threading.Lock()

    def rows(self, sql: str, args: tuple[object, ...] = ()) -> list[dict[str, object]]:
        """The rows sql selects, as dicts by column name (one query at a time on the shared connection)."""
        with self.lock:
            cursor = self.db.execute(sql, args)
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def health(self) -> dict[str, object]:
        """This replica's name and how many staff its database holds."""
        count = self.rows("SELECT COUNT(*) AS n FROM staff")[0]["n"]
        return {"status": "ok", "replica": self.replica, "staff": count}

    def directory(self, query: str) -> list[dict[str, object]]:
        """The first 20 staff whose name holds query."""
        return self.rows("SELECT * FROM staff WHERE name LIKE ? ORDER BY id LIMIT 20", (f"%{query}%",))

    def person(self, staff_id: int) -> list[dict[str, object]]:
        """The staff member of that id ([] when there is none)."""
        return self.rows("SELECT * FROM staff WHERE id = ?", (staff_id,))

    def oncall(self, day: str) -> list[dict[str, object]]:
        """Who is on call on day (YYYY-MM-DD), by department."""
        return self.rows(
            "SELECT o.day, o.department, s.id, s.name, s.phone FROM oncall o"
            " JOIN staff s ON s.id = o.staff_id WHERE o.day = ? ORDER BY o.department",
            (day,),
        )

    def procedures(self) -> list[dict[str, object]]:
        """Every procedure's id, title and department."""
        return self.rows("SELECT id, title, department FROM procedures ORDER BY id")


class Handler(JsonHandler):
    """The page, /health, /directory[/{id}], /oncall and /procedures of the Intranet it is bound to."""

    protocol_version = "HTTP/1.1"
    app: ClassVar[Intranet]

    def do_GET(self) -> None:
        """Route one GET."""
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p]
        if parts == ["health"]:
            self.reply(HTTPStatus.OK, self.app.health())
        elif parts == ["directory"]:
            self.reply(HTTPStatus.OK, self.app.directory(query.get("q", "")))
        elif len(parts) == 2 and parts[0] == "directory" and parts[1].isdigit():
            self.person(int(parts[1]))
        elif parts == ["oncall"]:
            self.reply(HTTPStatus.OK, self.app.oncall(query.get("day", "2025-11-07")))
        elif parts == ["procedures"]:
            self.reply(HTTPStatus.OK, self.app.procedures())
        elif not parts:
            self.page()
        else:
            self.reply(HTTPStatus.NOT_FOUND, {"error": f"no page {url.path}"})

    def person(self, staff_id: int) -> None:
        """One staff member, or 404."""
        found = self.app.person(staff_id)
        self.reply(
            HTTPStatus.OK if found else HTTPStatus.NOT_FOUND,
            found[0] if found else {"error": "no such staff id"},
        )

    def headers_to_add(self) -> dict[str, str]:
        """Every JSON answer names the replica that gave it."""
        return {"X-Intranet-Replica": self.app.replica}

    def page(self) -> None:
        """The home page, with links to the rest."""
        data = (
            "<!doctype html><title>Intranet</title><h1>CHU intranet</h1>"
            f"<p>Replica {self.app.replica}. <a href=/directory?q=Martin>Directory</a>, "
            "<a href=/oncall>on-call roster</a>, <a href=/procedures>procedures</a>.</p>"
        ).encode()
        self.send_page(data)


def make_handler(app: Intranet) -> type[Handler]:
    """The request handler bound to one Intranet."""

    class Bound(Handler):
        """Handler, answering from app."""

    Bound.app = app
    return Bound


def check(port: int) -> int:
    """Health check for Docker: exit 0 when /health answers 200."""
    return http_check(port, "/health")


def main() -> int:
    """Serve the replica (or run the health check); return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("/var/lib/intranet"))
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--check", action="store_true", help="probe the running server and exit")
    args = parser.parse_args()
    if args.check:
        return check(args.port)
    app = Intranet(open_database(args.data), os.environ.get("INTRANET_REPLICA", "unknown"))
    handler = make_handler(app)
    serve_all(lambda address: QuietServer((address, args.port), handler))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The clinicians' operations, each recorded in the ledger as invoked, then ok, failed or unknown.

A write is `ok` only when the service acknowledged it (201/200 with the
booking, SMTP 250 after DATA, HL7 ACK AA); `failed` when it surely did not
happen (refused before sending, a 4xx, a 503 saying "not done", AE/AR);
`unknown` when it may have (timeout or reset after sending, a 503 saying
"outcome unknown"). Never `ok` on doubt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from drill.workload import clients
from drill.workload.clients import Unanswered, Unsent
from drill.workload.ledger import Ledger, Status
from infra.topology import MailInfo, Topology
from services.appointments.booking import CLINICS  # the clinics the app takes, from its own rules


@dataclass(frozen=True)
class Endpoints:
    """What the operations need to know of the deployed stack, taken from its topology."""

    run_id: str
    appointments: str
    lab_mllp: str
    lab_api: str
    smtp: str
    imap: str
    intranet: tuple[str, ...]
    # The password of each mailbox the workload reads (it acts as the staff: all of them).
    mail_passwords: Mapping[str, str] = field(default_factory=dict, repr=False)
    mail: MailInfo = field(default_factory=MailInfo)
    # The stack's CA certificate (PEM): the workload speaks TLS as the users do, checked.
    tls_ca: str = field(default="", repr=False)

    @property
    def tls(self) -> ssl.SSLContext:
        """A client TLS context that trusts the stack's CA alone; Unsent when the workload has none."""
        return clients.tls_context(self.tls_ca)

    def mail_password(self, user: str) -> str:
        """The password of user's mailbox; Unsent when the workload was given none for it."""
        try:
            return self.mail_passwords[user]
        except KeyError:
            raise Unsent(f"no password for {user}: the workload holds only its mailboxes'") from None

    @staticmethod
    def of(topology: Topology, run_id: str, mail_passwords: Mapping[str, str]) -> Endpoints:
        """Read the endpoints and the stack's CA from the topology: every address of the intranet,
        in order; with the mailboxes' passwords."""
        return Endpoints(
            run_id=run_id,
            appointments=topology.service("appointments").endpoint("http"),
            lab_mllp=topology.service("lab").endpoint("mllp"),
            lab_api=topology.service("lab").endpoint("http"),
            smtp=topology.service("mail").endpoint("smtp"),
            imap=topology.service("mail").endpoint("imap"),
            intranet=topology.service("intranet").urls("http"),
            mail_passwords=dict(mail_passwords),
            mail=topology.mail,
            tls_ca=topology.tls_ca,
        )


Operation = Callable[[Endpoints, Ledger, int, random.Random], None]


FIRST_DAY = dt.date(2030, 1, 1)
SLOTS_PER_DAY = 24 * 60 * len(CLINICS)  # one a minute in each clinic
RUN_SLOTS = 10_000_000  # more bookings than any run makes: a run's slots stay in the calendar
SLOT_TRIES = 4  # slots a booking tries, each elsewhere in the calendar, while the app answers 409
CALENDAR_SLOTS = (dt.date(9999, 12, 31) - FIRST_DAY).days * SLOTS_PER_DAY - RUN_SLOTS


def booking_slot(run_id: str, n: int, attempt: int = 0) -> tuple[str, str, str]:
    """(clinic, day, slot) of a run's n-th booking: consecutive slots from a start that the run id's
    SHA-256 places anywhere in the calendar the app takes (2030 to 9999, 3.4e10 slots), so that
    two runs' bookings clash with odds of about (their bookings) / 1.7e10, not when two run ids
    merely share a character sum (a day in forty once, which booked taken slots: HTTP 409).
    Each further attempt (its slot taken) starts somewhere else."""
    key = run_id if not attempt else f"{run_id}/{attempt}"
    start = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % CALENDAR_SLOTS
    index = start + n
    day = FIRST_DAY + dt.timedelta(days=index // SLOTS_PER_DAY)
    minute = index % (24 * 60)
    clinic = CLINICS[(index // (24 * 60)) % len(CLINICS)]
    return clinic, day.isoformat(), f"{minute // 60:02d}:{minute % 60:02d}"


def book(endpoints: Endpoints, ledger: Ledger, n: int, rng: random.Random) -> None:
    """Book a slot, keyed by our own ref: the run's n-th slot, or while the app answers 409 (taken, so
    surely not booked) one elsewhere, SLOT_TRIES in all; the ledger names the taken ones."""
    ref = f"{endpoints.run_id}-b{n}"
    ledger.record("appointments", "book", ref, "invoked")
    taken: list[str] = []
    for attempt in range(SLOT_TRIES):
        clinic, day, slot = booking_slot(endpoints.run_id, n, attempt)
        body = {"patient": f"Patient {n}", "clinic": clinic, "day": day, "slot": slot, "ref": ref}
        status, detail = _http_write(
            "POST", f"{endpoints.appointments}/api/appointments", body, (200, 201), endpoints.tls
        )
        if not detail.startswith("HTTP 409 "):
            break
        taken.append(f"{clinic} {day} {slot}")  # surely not booked: a clinician takes another slot
    if taken:
        detail = f"{detail} (taken before: {', '.join(taken)})"
    ledger.record("appointments", "book", ref, status, detail)


def cancel(endpoints: Endpoints, ledger: Ledger, n: int, rng: random.Random) -> None:
    """Cancel one of this run's bookings (one booked earlier, chosen at random)."""
    if n < 2:
        return
    ref = f"{endpoints.run_id}-b{rng.randrange(n // 2)}"
    ledger.record("appointments", "cancel-lookup", ref, "invoked")
    code, found = _http_read(f"{endpoints.appointments}/api/appointments?all=ids", endpoints)
    if code != 200 or not isinstance(found, list):
        ledger.record("appointments", "cancel-lookup", ref, "failed", f"HTTP {code}")
        return
    ids = [row["id"] for row in found if isinstance(row, dict) and row.get("ref") == ref]
    ledger.record("appointments", "cancel-lookup", ref, "ok", f"{len(ids)} found")
    for ident in ids:
        ledger.record("appointments", "cancel", ref, "invoked")
        status, detail = _http_write(
            "DELETE", f"{endpoints.appointments}/api/appointments/{ident}", None, (200, 404), endpoints.tls
        )
        ledger.record("appointments", "cancel", ref, status, detail)


def send_mail(endpoints: Endpoints, ledger: Ledger, n: int, rng: random.Random) -> None:
    """Send one message to a random mailbox, keyed by its Message-ID."""
    message_id = f"<{endpoints.run_id}-m{n}@workload.{endpoints.mail.domain}>"
    to = endpoints.mail.mailbox(rng.randint(1, endpoints.mail.mailboxes))
    ledger.record("mail", "send", message_id, "invoked", to)
    status: Status
    try:
        clients.smtp_send(
            endpoints.smtp,
            endpoints.mail.mailbox(1),
            to,
            message_id,
            f"workload message {n}",
            endpoints.tls,
        )
        status, detail = "ok", to
    except smtplib.SMTPException as exc:
        status, detail = "failed", str(exc)
    except Unsent as exc:
        status, detail = "failed", f"not sent: {exc}"
    except Unanswered as exc:
        status, detail = "unknown", f"no answer after sending: {exc}"
    ledger.record("mail", "send", message_id, status, detail)


def read_mail(endpoints: Endpoints, ledger: Ledger, n: int, rng: random.Random) -> None:
    """Read a random mailbox's INBOX over IMAP."""
    user = endpoints.mail.mailbox(rng.randint(1, endpoints.mail.mailboxes))
    ledger.record("mail", "read", user, "invoked")
    try:
        count = clients.imap_inbox_count(endpoints.imap, user, endpoints.mail_password(user), endpoints.tls)
        ledger.record("mail", "read", user, "ok", f"{count} messages")
    except Unsent as exc:
        ledger.record("mail", "read", user, "failed", str(exc))


def send_result(endpoints: Endpoints, ledger: Ledger, n: int, rng: random.Random) -> None:
    """Send one lab result over MLLP, keyed by its MSH-10; one in five is STAT."""
    control_id = f"{endpoints.run_id}-r{n}"
    payload = clients.oru(
        control_id, f"{endpoints.run_id}-o{n}", f"P{rng.randint(1, 99999):05d}", rng.random() < 0.2
    )
    ledger.record("lab", "send", control_id, "invoked")
    try:
        code, text = clients.mllp_exchange(endpoints.lab_mllp, payload, endpoints.tls)
        status: Status = "ok" if code == "AA" else "failed"
        detail = f"ACK {code} {text}".strip()
    except Unsent as exc:
        status, detail = "failed", f"not sent: {exc}"
    except Unanswered as exc:
        status, detail = "unknown", f"no ACK: {exc}"
    ledger.record("lab", "send", control_id, status, detail)


def read_results(endpoints: Endpoints, ledger: Ledger, n: int, rng: random.Random) -> None:
    """Read the results of one of this run's orders."""
    order = f"{endpoints.run_id}-o{rng.randrange(max(1, n))}"
    _read(ledger, "lab", "read", order, f"{endpoints.lab_api}/results?order={order}", endpoints)


def read_intranet(endpoints: Endpoints, ledger: Ledger, n: int, rng: random.Random) -> None:
    """Look a staff member up in the intranet directory, at the next address when one is unreachable."""
    staff = rng.randint(1, 7300)
    ledger.record("intranet", "read", str(staff), "invoked")
    try:
        answer = clients.http_json_any("GET", [f"{url}/directory/{staff}" for url in endpoints.intranet])
    except (Unsent, Unanswered) as exc:
        ledger.record("intranet", "read", str(staff), "failed", f"no address answered: {exc}")
        return
    via = f" from {answer.url} after {answer.failovers} unreachable" if answer.failovers else ""
    status: Status = "ok" if answer.status == 200 else "failed"
    ledger.record("intranet", "read", str(staff), status, f"HTTP {answer.status}{via}")


def _read(ledger: Ledger, service: str, op: str, key: str, url: str, endpoints: Endpoints) -> None:
    ledger.record(service, op, key, "invoked")
    code, _ = _http_read(url, endpoints)
    ledger.record(service, op, key, "ok" if code == 200 else "failed", f"HTTP {code}")


def _http_read(url: str, endpoints: Endpoints) -> tuple[int, object]:
    try:
        return clients.http_json("GET", url, tls=endpoints.tls)
    except (Unsent, Unanswered) as exc:
        return 0, str(exc)


def _http_write(
    method: str, url: str, body: object, ok: tuple[int, ...], tls: ssl.SSLContext | None
) -> tuple[Status, str]:
    try:
        code, answer = clients.http_json(method, url, body, tls)
    except Unsent as exc:
        return "failed", f"not sent: {exc}"
    except Unanswered as exc:
        return "unknown", f"no answer after sending: {exc}"
    outcome = answer.get("outcome") if isinstance(answer, dict) else None
    if code in ok:
        ident = answer.get("id") if isinstance(answer, dict) else None
        return "ok", f"HTTP {code} id {ident}"
    if code == 503 and outcome != "not done":
        return "unknown", f"HTTP 503 {answer}"
    return "failed", f"HTTP {code} {answer}"


# Relative weights: how many of each a clinician does.
OPERATIONS: dict[str, tuple[Operation, int]] = {
    "appointments.book": (book, 3),
    "appointments.cancel": (cancel, 1),
    "mail.send": (send_mail, 2),
    "mail.read": (read_mail, 1),
    "lab.send": (send_result, 2),
    "lab.read": (read_results, 1),
    "intranet.read": (read_intranet, 4),
}

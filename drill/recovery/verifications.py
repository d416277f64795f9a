"""The verifications of the recovery plan: each looks, changes nothing, and says what it saw.

A verification is polled until it passes or its step's timeout runs out.
The last four prove a service back through its own protocol, as users
reach it: a booking over HTTP, a STAT result over MLLP, a message over
SMTP then IMAP, a directory lookup; they time each service's recovery.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import time
import uuid
from collections.abc import Callable

from drill.checks import check_stack
from drill.recovery.context import Recovery, Verdict
from drill.recovery.steps import DEPENDENTS, lab_health, mail_queue
from drill.workload import clients
from infra.topology import ContainerInfo

# verification -> the service it proves back
PROVES = {
    "appointments_book": "appointments",
    "lab_result_delivered": "lab",
    "mail_delivered": "mail",
    "intranet_answers": "intranet",
}


def vault_can_restore(rec: Recovery) -> Verdict:
    """The vault holds a base backup and WAL, and its mail copy is there; else say what cannot be restored."""
    if rec.already_recovered:
        return Verdict(True, "already recovered")
    [vault] = rec.topology.service("vault").containers
    [copy] = [c for c in rec.topology.service("mail").containers if c.tier == "backup"]
    missing = []
    code, status = rec.run(vault, "cat", "/vault/status.json")
    if code != 0 or '"base_backups": []' in status:
        seen = status if code != 0 else "no base backup"
        missing.append(f"the appointments and labresults databases (vault {vault.name}: {seen})")
    code, output = rec.run(copy, "ls", "/var/mail")
    if code != 0:
        missing.append(f"the mail store's mailboxes (vault copy {copy.name}: {output})")
    rec.cannot_restore = missing
    if missing:
        return Verdict(False, "cannot restore " + "; ".join(missing))
    return Verdict(True, f"{vault.name} holds base backups and WAL; {copy.name} holds the mailboxes")


def dependents_stopped(rec: Recovery) -> Verdict:
    """Nothing that depends on the dead storage is running (or the storage is already recovered)."""
    if rec.already_recovered:
        return Verdict(True, "storage recovered: dependents run")
    running = [
        info.name
        for service, tier in DEPENDENTS
        for info in rec.tier(service, tier)
        if rec.state(info) not in ("exited", "missing", "created")
    ]
    return Verdict(not running, f"still running: {', '.join(running)}" if running else "all stopped")


def takes_writes(rec: Recovery, array: ContainerInfo) -> tuple[bool, str]:
    """Whether the array is promoted and takes writes (its recovery over), and what it answered."""
    code, answer = rec.run(array, "psql", "-Atc", "SELECT NOT pg_is_in_recovery()", user="postgres")
    return code == 0 and answer == "t", answer or str(code)


def storage_answers(rec: Recovery) -> Verdict:
    """The array (promoted, taking writes) and the mail store of the spare room answer."""
    array, store = rec.storage("storage"), rec.storage("mail")
    promoted, answer = takes_writes(rec, array)
    store_state = rec.state(store)
    ok = promoted and store_state == "healthy"
    return Verdict(ok, f"{array.name} takes writes: {answer}; {store.name} {store_state}")


def databases_restored(rec: Recovery) -> Verdict:
    """Both databases are on the new array, with their rows."""
    array = rec.storage("storage")
    counts = []
    queries = (
        ("appointments", "SELECT count(*) FROM appointments"),
        ("labresults", "SELECT count(*) FROM results"),
    )
    for database, query in queries:
        code, answer = rec.run(array, "psql", "-d", database, "-Atc", query, user="postgres")
        if code != 0:
            # Once promoted the array has replayed all it ever will: what it lacks stays missing.
            final = "does not exist" in answer and takes_writes(rec, array)[0]
            return Verdict(False, f"{database}: {answer}", final)
        counts.append(f"{database}: {answer} rows")
    return Verdict(True, ", ".join(counts))


def mail_store_restored(rec: Recovery) -> Verdict:
    """The new mail store holds at least the mailboxes it restored from the vault's copy, and answers."""
    store = rec.storage("mail")
    found = rec.container(store)
    logged = found.logs().decode(errors="replace") if found is not None else ""
    restored = [line.split()[2] for line in logged.splitlines() if line.startswith("mailstore: restored ")]
    code, here = rec.run(store, "bash", "-c", "find /var/mail/*.* -mindepth 1 -maxdepth 1 -type d | wc -l")
    ok = code == 0 and bool(restored) and here.isdigit() and int(here) >= int(restored[-1])
    seen = restored[-1] if restored else "none"
    return Verdict(ok and rec.state(store) == "healthy", f"{store.name}: {here} mailboxes, {seen} restored")


def services_healthy(rec: Recovery) -> Verdict:
    """Every container of the topology runs healthy and every health URL answers 200."""
    failed = [f"{c.subject} ({c.seen})" for c in check_stack(rec.topology) if not c.ok]
    return Verdict(not failed, "not yet: " + ", ".join(failed[:4]) if failed else "every container healthy")


def lab_journal_empty(rec: Recovery) -> Verdict:
    """The gateway delivers, and nothing waits in its journal."""
    health = lab_health(rec)
    ok = health.get("delivering") is True and health.get("pending") == 0
    return Verdict(ok, f"delivering: {health.get('delivering')}, waiting: {health.get('pending')}")


def mail_queue_empty(rec: Recovery) -> Verdict:
    """Postfix's queue is empty: every accepted message is delivered."""
    queued = mail_queue(rec)
    return Verdict(not queued, f"{len(queued)} messages queued")


def appointments_book(rec: Recovery) -> Verdict:
    """A booking in a slot of its own is confirmed (201) through the JSON API."""
    token = uuid.uuid4()
    day = dt.date(2200, 1, 1) + dt.timedelta(days=token.int % 36500)
    body = {
        "patient": "Recovery Check",
        "clinic": "surgery",
        "day": day.isoformat(),
        "slot": f"{token.int // 36500 % 24:02d}:{token.int // 876000 % 60:02d}",
        "ref": f"verify-{token.hex[:12]}",
    }
    url = rec.topology.service("appointments").endpoint("http")
    try:
        status, _ = clients.http_json("POST", f"{url}/api/appointments", body)
    except (clients.Unsent, clients.Unanswered) as exc:
        return Verdict(False, f"no answer: {exc}")
    return Verdict(status == 201, f"booking answered HTTP {status}")


def lab_result_delivered(rec: Recovery) -> Verdict:
    """A STAT result sent over MLLP gets AA and is in the results API."""
    ident = uuid.uuid4().hex[:12]
    lab = rec.topology.service("lab")
    try:
        code, _ = clients.mllp_exchange(
            lab.endpoint("mllp"), clients.oru(f"verify-{ident}", f"verify-o-{ident}", "P00001", True)
        )
        status, rows = clients.http_json("GET", f"{lab.endpoint('http')}/results?order=verify-o-{ident}")
    except (clients.Unsent, clients.Unanswered) as exc:
        return Verdict(False, f"no answer: {exc}")
    delivered = isinstance(rows, list) and len(rows) == 1
    return Verdict(
        code == "AA" and delivered, f"ACK {code}, results API HTTP {status}, delivered: {delivered}"
    )


def mail_delivered(rec: Recovery) -> Verdict:
    """A message sent over SMTP is found in the recipient's INBOX over IMAP."""
    mail = rec.topology.service("mail")
    to = "staff0001@chu.test"  # the workload's domain (drill/workload/operations.py)
    message_id = f"<verify-{uuid.uuid4().hex[:12]}@recovery.chu.test>"
    try:
        clients.smtp_send(mail.endpoint("smtp"), "recovery@chu.test", to, message_id, "recovery check")
        for _ in range(10):
            if clients.imap_has(mail.endpoint("imap"), to, rec.mail_password, message_id):
                return Verdict(True, f"{message_id} sent and found in {to}'s INBOX")
            time.sleep(0.5)
    except (smtplib.SMTPException, clients.Unsent, clients.Unanswered) as exc:
        return Verdict(False, f"no answer: {exc}")
    return Verdict(False, f"{message_id} accepted but not in {to}'s INBOX yet")


def intranet_answers(rec: Recovery) -> Verdict:
    """The intranet's directory answers 200 through one of its balancers."""
    try:
        urls = [f"{url}/health" for url in rec.topology.service("intranet").urls()]
        status = clients.http_json_any("GET", urls).status
    except (clients.Unsent, clients.Unanswered) as exc:
        return Verdict(False, f"no answer: {exc}")
    return Verdict(status == 200, f"HTTP {status}")


VERIFICATIONS: dict[str, Callable[[Recovery], Verdict]] = {
    f.__name__: f
    for f in (
        vault_can_restore,
        dependents_stopped,
        storage_answers,
        databases_restored,
        mail_store_restored,
        services_healthy,
        lab_journal_empty,
        mail_queue_empty,
        appointments_book,
        lab_result_delivered,
        mail_delivered,
        intranet_answers,
    )
}

"""Proofs that a service is back, through its own protocol, as its users reach it.

Each proof makes one write per step and then waits for that same record
until the step's timeout: a booking with its own `ref`, a STAT result with
its own MSH-10, a message with its own Message-ID. A write that may not
have landed is retried with the same key (the services take a retry of
the same key once), never replaced by a new one: a new write per poll
would race its own delivery and fail a correct recovery.
"""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Callable

from drill.recovery.context import Recovery, Verdict
from drill.workload import clients
from drill.workload.operations import booking_slot

# The check a step polls, made once per step: each call looks again.
Check = Callable[[], Verdict]

# verification -> the service it proves back
PROVES = {
    "appointments_book": "appointments",
    "lab_result_delivered": "lab",
    "mail_delivered": "mail",
    "intranet_answers": "intranet",
}


class BookingProof:
    """One booking, in a slot of its own, confirmed through the JSON API (201, or 200 for its retry)."""

    def __init__(self, rec: Recovery) -> None:
        ref = f"verify-{uuid.uuid4().hex[:12]}"
        clinic, day, slot = booking_slot(ref, 0)
        self.body = {"patient": "Recovery Check", "clinic": clinic, "day": day, "slot": slot, "ref": ref}
        self.url = f"{rec.topology.service('appointments').endpoint('http')}/api/appointments"
        self.tls = clients.tls_context(rec.topology.tls_ca)

    def __call__(self) -> Verdict:
        try:
            status, _ = clients.http_json("POST", self.url, self.body, self.tls)
        except (clients.Unsent, clients.Unanswered) as exc:
            return Verdict(False, f"booking {self.body['ref']}: no answer: {exc}")
        # 201: made now; 200: a retry found the booking an earlier attempt made.
        return Verdict(status in (200, 201), f"booking {self.body['ref']} answered HTTP {status}")


class LabResultProof:
    """One STAT result over MLLP: acknowledged AA, then found in the results API."""

    def __init__(self, rec: Recovery) -> None:
        ident = uuid.uuid4().hex[:12]
        lab = rec.topology.service("lab")
        self.mllp, self.api = lab.endpoint("mllp"), lab.endpoint("http")
        self.tls = clients.tls_context(rec.topology.tls_ca)
        self.control_id, self.order = f"verify-{ident}", f"verify-o-{ident}"
        self.ack = ""
        self.reads = 0

    def __call__(self) -> Verdict:
        if self.ack != "AA":
            verdict = self._send()
            if verdict is not None:
                return verdict
        self.reads += 1
        try:
            status, rows = clients.http_json("GET", f"{self.api}/results?order={self.order}", tls=self.tls)
        except (clients.Unsent, clients.Unanswered) as exc:
            return Verdict(False, f"{self.control_id}: ACK AA, results API: no answer: {exc}")
        delivered = isinstance(rows, list) and len(rows) == 1
        return Verdict(
            delivered,
            f"{self.control_id}: ACK AA, results API HTTP {status}, "
            f"delivered: {delivered} (read {self.reads} times)",
        )

    def _send(self) -> Verdict | None:
        """Send (or resend, same MSH-10) until AA; a verdict when it is not acknowledged."""
        payload = clients.oru(self.control_id, self.order, "P00001", True)
        try:
            self.ack, text = clients.mllp_exchange(self.mllp, payload, self.tls)
        except (clients.Unsent, clients.Unanswered) as exc:
            return Verdict(False, f"{self.control_id}: no ACK: {exc}")
        if self.ack == "AA":
            return None
        # AE and AR refuse this very message: resending it cannot change the answer.
        return Verdict(False, f"{self.control_id}: ACK {self.ack} {text}", final=self.ack in ("AE", "AR"))


class MailProof:
    """One message over SMTP, then found in the recipient's INBOX over IMAP."""

    def __init__(self, rec: Recovery) -> None:
        mail = rec.topology.service("mail")
        self.smtp, self.imap = mail.endpoint("smtp"), mail.endpoint("imap")
        self.to, self.domain = rec.topology.mail.mailbox(1), rec.topology.mail.domain
        self.password = rec.mail_password
        self.tls = clients.tls_context(rec.topology.tls_ca)
        self.message_id = f"<verify-{uuid.uuid4().hex[:12]}@recovery.{self.domain}>"
        self.accepted = False

    def __call__(self) -> Verdict:
        try:
            if not self.accepted:
                clients.smtp_send(
                    self.smtp, f"recovery@{self.domain}", self.to, self.message_id, "recovery check", self.tls
                )
                self.accepted = True
            found = clients.imap_has(self.imap, self.to, self.password, self.message_id, self.tls)
        except (smtplib.SMTPException, clients.Unsent, clients.Unanswered) as exc:
            sent = "accepted" if self.accepted else "not accepted yet"
            return Verdict(False, f"{self.message_id} {sent}: no answer: {exc}")
        where = "found in" if found else "accepted, not yet in"
        return Verdict(found, f"{self.message_id} {where} {self.to}'s INBOX")


def intranet_answers(rec: Recovery) -> Check:
    """The intranet's directory answers 200 through one of its balancers (a read: nothing to wait for)."""
    urls = [f"{url}/health" for url in rec.topology.service("intranet").urls()]

    def check() -> Verdict:
        try:
            status = clients.http_json_any("GET", urls).status
        except (clients.Unsent, clients.Unanswered) as exc:
            return Verdict(False, f"no answer: {exc}")
        return Verdict(status == 200, f"HTTP {status}")

    return check


PROOFS: dict[str, Callable[[Recovery], Check]] = {
    "appointments_book": BookingProof,
    "lab_result_delivered": LabResultProof,
    "mail_delivered": MailProof,
    "intranet_answers": intranet_answers,
}

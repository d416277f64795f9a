"""Postfix's before-queue filter: a message is in another room before SMTP says 250.

Postfix's public smtpd hands every message to this filter (smtpd_proxy_filter)
before it answers the client. The filter delivers the message over LMTP to
the vault's copy of each mailbox (MAIL_VAULT_HOST, another room), then hands
it to Postfix's queue through a second smtpd and passes that smtpd's answer
back. So an accepted message stands in two rooms: on this server's queue
and in the vault's copy; losing this server's whole room loses nothing.

When the vault's copy cannot take it (the vault away), the message is queued
through the smtpd that also copies it to the vault later (recipient_bcc_maps):
mail is still accepted, and reaches the vault once it is back.

The LMTP to the vault is TLS (STARTTLS), its certificate checked against the
stack's CA (CA_FILE) and the vault copy's name; a copy that cannot be made so
is not made, and the message takes the queue that copies it later.

aiosmtpd (Debian's python3-aiosmtpd) speaks the SMTP server side; smtplib the
LMTP and SMTP client sides. Run as `python3 -m services.mail_front.mail_copy`
(`--check`: the health check).
"""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

LISTEN = ("127.0.0.1", 10025)
# Postfix's smtpd for a message already copied (no bcc), and for one that is not (bcc).
QUEUE_COPIED = ("127.0.0.1", 10026)
QUEUE_WITH_BCC = ("127.0.0.1", 10027)
LMTP_PORT = 24
TIMEOUT_S = 5
CA_FILE = "/run/secrets/tls_ca_cert"


class CopyThenQueue:
    """The filter's handler: copy to the vault over LMTP, then queue through Postfix."""

    def __init__(self, vault_host: str, domain: str, tls: ssl.SSLContext) -> None:
        self.vault_host = vault_host
        self.domain = domain
        self.tls = tls

    def vault_address(self, address: str) -> str:
        """The vault copy's mailbox for one of ours: local@vault.<domain>."""
        local, _, domain = address.rpartition("@")
        return f"{local}@vault.{domain}" if domain.lower() == self.domain else address

    def copy(self, envelope: Envelope) -> str:
        """Deliver to the vault's copy; "" when every recipient took it, else why not."""
        content = envelope.original_content or b""
        recipients = [self.vault_address(r) for r in envelope.rcpt_tos]
        try:
            with smtplib.LMTP(self.vault_host, LMTP_PORT, timeout=TIMEOUT_S) as lmtp:
                lmtp.starttls(context=self.tls)
                refused = lmtp.sendmail(envelope.mail_from or "", recipients, content)
        except (smtplib.SMTPException, OSError) as exc:  # ssl.SSLError is an OSError
            return str(exc) or type(exc).__name__
        return f"refused {sorted(refused)}" if refused else ""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Copy, then queue (off the event loop: other sessions go on); answer what the queue answered."""
        return await asyncio.get_running_loop().run_in_executor(None, self.copy_then_queue, envelope)

    def copy_then_queue(self, envelope: Envelope) -> str:
        """The SMTP answer for one message, once it is copied (or not) and queued (or not)."""
        started = time.monotonic()
        not_copied = self.copy(envelope)
        queue = QUEUE_WITH_BCC if not_copied else QUEUE_COPIED
        try:
            with smtplib.SMTP(*queue, timeout=TIMEOUT_S) as smtp:
                smtp.sendmail(envelope.mail_from or "", envelope.rcpt_tos, envelope.original_content or b"")
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error
            return f"{exc.smtp_code} {error.decode(errors='replace') if isinstance(error, bytes) else error}"
        except (smtplib.SMTPException, OSError) as exc:
            return f"451 4.3.0 the queue did not take the message ({exc}): try again"
        copied = f"not in the vault yet ({not_copied})" if not_copied else "in the vault's copy"
        print(f"mail-copy: queued, {copied}, in {time.monotonic() - started:.3f} s", flush=True)
        return "250 2.0.0 Ok: queued, " + ("vault copy to follow" if not_copied else "copied to the vault")


def check() -> int:
    """Health check: the filter answers SMTP on its port."""
    try:
        with smtplib.SMTP(*LISTEN, timeout=2) as smtp:
            return 0 if smtp.noop()[0] == 250 else 1
    except (smtplib.SMTPException, OSError):
        return 1


def main() -> int:
    """Run the filter forever (or the health check); return the exit code."""
    if "--check" in sys.argv:
        return check()
    domain = os.environ.get("MAIL_DOMAIN", "chu.test").lower()
    tls = ssl.create_default_context(cafile=os.environ.get("CA_FILE", CA_FILE))
    tls.minimum_version = ssl.TLSVersion.TLSv1_2
    handler = CopyThenQueue(os.environ["MAIL_VAULT_HOST"], domain, tls)
    # decode_data False keeps the message's bytes as they came (original_content).
    controller = Controller(
        handler, hostname=LISTEN[0], port=LISTEN[1], decode_data=False, enable_SMTPUTF8=True
    )
    controller.start()
    print(f"mail-copy: filtering on {LISTEN[0]}:{LISTEN[1]}, copying to {handler.vault_host}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())

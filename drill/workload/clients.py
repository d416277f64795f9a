"""Protocol clients the workload (and later the probes) speak: HTTP+JSON, SMTP, IMAP, HL7 over MLLP.

Each raises Unsent when the request surely did not reach the service
(refused, unresolvable) and Unanswered when it may have (timeout or reset
after sending): the difference between a failed and an unknown outcome.
http_json_any speaks to a service published at several addresses (the
intranet's balancers), moving on only when an address cannot be reached.
"""

from __future__ import annotations

import email.message
import functools
import imaplib
import json
import os
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from services.common import mllp
from services.common.ack import read_ack
from services.common.oru import Observation, Order, oru_r01

TIMEOUT_S = 5.0
LOCAL_HOST = "127.0.0.1"
# Where else the workload and the probes may send: the addresses of the stack's rooms across a swarm,
# as its topology names them (allow_hosts); in the environment, so the experiments' process has them.
HOSTS_ENV = "HOSPITAL_DRP_ENDPOINT_HOSTS"
# The users' directory of a stack across a swarm (a JSON file: published port -> the address of the
# room where its service stands now), re-pointed by every deploy, the recovery plan's too, as a
# hospital re-points its DNS: a client holding the planned address reaches the service where it went.
DIRECTORY_ENV = "HOSPITAL_DRP_DIRECTORY"
# The one result the workload and the probes send: HL7 and MLLP are services.common's, as in the images.
GLUCOSE = Observation("GLU", "Glucose", "5.4", "mmol/L")
# Safe to send twice: a request to them that got no answer may go to the next address.
IDEMPOTENT = frozenset({"GET", "HEAD"})


class Unsent(Exception):
    """The request surely did not reach the service."""


def tls_from_file(path: str) -> ssl.SSLContext | None:
    """tls_context of the CA certificate in path (`drill up` leaves it in .state/tls/<stack>-ca.pem),
    for the experiments' probes; None for no path (plain HTTP only); Unsent when it cannot be read."""
    if not path:
        return None
    try:
        return tls_context(Path(path).read_text())
    except OSError as exc:
        raise Unsent(
            f"cannot read the stack's CA certificate {path}: {exc.strerror}; run `drill up`"
        ) from exc


@functools.lru_cache(maxsize=8)
def tls_context(ca_pem: str) -> ssl.SSLContext:
    """A client's TLS (1.2 or newer) that trusts the stack's CA alone and checks the server's name:
    one per CA, shared by every caller and thread (a context is safe to share), not parsed again on
    every poll."""
    if not ca_pem:
        raise Unsent("no CA certificate of the stack to check the server with: ask `drill` for the stack's")
    context = ssl.create_default_context(cadata=ca_pem)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class Unanswered(Exception):
    """The request may have reached the service, but no answer came back."""


def http_json(
    method: str, url: str, body: object | None = None, tls: ssl.SSLContext | None = None
) -> tuple[int, object]:
    """One HTTP request with a JSON body; return (status, parsed body). An https:// URL needs tls
    (tls_context: the stack's CA), else Unsent; a server the CA did not certify for the URL's
    host is refused before anything is sent: Unsent."""
    url = located(url)
    host_port(url)  # only our own endpoints
    https = url.startswith("https://")
    if https and tls is None:
        raise Unsent(f"{url} is HTTPS: the client needs the stack's CA to check the server")
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S, context=tls if https else None) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"null")
        except ValueError:
            return exc.code, None
    except urllib.error.URLError as exc:
        # Refused, unresolvable, or a certificate refused in the handshake: nothing was sent.
        if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror | ssl.SSLCertVerificationError):
            raise Unsent(str(exc.reason)) from exc
        raise Unanswered(str(exc.reason)) from exc
    except (TimeoutError, ConnectionError, ValueError) as exc:
        raise Unanswered(str(exc)) from exc


@dataclass(frozen=True)
class Answer:
    """The answer of one of a service's addresses, and how many before it could not be reached."""

    status: int
    body: object
    url: str
    failovers: int


def http_json_any(
    method: str, urls: Sequence[str], body: object | None = None, tls: ssl.SSLContext | None = None
) -> Answer:
    """Send one request to the first of urls that answers, as a browser does with a name of several addresses.

    It moves to the next URL only when there was no HTTP answer: always on
    Unsent (refused: nothing arrived), and on Unanswered (sent, then reset
    or timed out) only for GET and HEAD, which may safely arrive twice; any
    other method raises that Unanswered at once, since the request may have
    been carried out. An HTTP error status is an answer: it is returned,
    never failed over. Raises Unsent when no URL could be reached, and
    Unanswered when an idempotent request may have reached one of them.
    """
    if not urls:
        raise ValueError("http_json_any needs at least one URL")
    missed: list[str] = []
    doubt = False
    for url in _unmissed_first(urls):
        try:
            status, answer = http_json(method, url, body, tls)
        except Unsent as exc:
            missed.append(f"{url}: {exc}")
            _MISSED[_address(url)] = time.monotonic()
        except Unanswered as exc:
            missed.append(f"{url}: no answer: {exc}")
            _MISSED[_address(url)] = time.monotonic()
            if method.upper() not in IDEMPOTENT:
                raise Unanswered("; ".join(missed)) from exc
            doubt = True
        else:
            _MISSED.pop(_address(url), None)
            return Answer(status, answer, url, len(missed))
    raise (Unanswered if doubt else Unsent)("; ".join(missed))


# Where an address of a service could not be reached lately (as a browser holds a dead address of a
# name aside for a while): a host cut off answers nothing, and each try would wait the full timeout.
_MISSED: dict[str, float] = {}
MISSED_HOLD_S = 10.0


def forget_missed() -> None:
    """Forget every address held aside, as a client that starts afresh."""
    _MISSED.clear()


def _address(url: str) -> str:
    """Where url leads now: its host and port, as the directory places them."""
    return urlparse(located(url)).netloc


def _unmissed_first(urls: Sequence[str]) -> list[str]:
    """urls in their order, those missed in the last MISSED_HOLD_S moved last (still tried, last)."""
    now = time.monotonic()
    held = {url for url in urls if now - _MISSED.get(_address(url), -MISSED_HOLD_S) < MISSED_HOLD_S}
    return [url for url in urls if url not in held] + [url for url in urls if url in held]


def allowed_hosts() -> frozenset[str]:
    """The hosts an endpoint may be on: 127.0.0.1, and the rooms' addresses allow_hosts was given."""
    return frozenset({LOCAL_HOST, *os.environ.get(HOSTS_ENV, "").split()})


def allow_hosts(addresses: Sequence[str]) -> None:
    """Let the workload and the probes (this process's and its children's) reach these addresses too:
    the rooms' of a stack across a swarm, from its topology."""
    os.environ[HOSTS_ENV] = " ".join(sorted(allowed_hosts() - {LOCAL_HOST} | set(addresses) - {LOCAL_HOST}))


@functools.lru_cache(maxsize=4)
def _read_directory(path: str, changed_ns: int) -> dict[str, str]:
    try:
        found = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def directory() -> dict[str, str]:
    """The users' directory (DIRECTORY_ENV), read again whenever it changed; empty when there is none."""
    path = os.environ.get(DIRECTORY_ENV, "")
    try:
        return _read_directory(path, Path(path).stat().st_mtime_ns) if path else {}
    except OSError:
        return {}


def located(url: str) -> str:
    """url where its service stands now: its host replaced by the directory's address for its port
    (a room's address only: 127.0.0.1 is the same everywhere), else url as it is."""
    parsed = urlparse(url)
    where = directory().get(str(parsed.port)) if parsed.port else None
    if where is None or parsed.hostname in (LOCAL_HOST, where):
        return url
    return parsed._replace(netloc=f"{where}:{parsed.port}").geturl()


def host_port(url: str) -> tuple[str, int]:
    """The host and port of an endpoint URL such as smtp://127.0.0.1:18025, where its service stands
    now (located): only on 127.0.0.1 or an address allow_hosts was given (a room's, from the
    stack's topology)."""
    parsed = urlparse(located(url))
    if not parsed.hostname or not parsed.port:
        raise ValueError(f"endpoint {url!r} has no host and port")
    if parsed.hostname not in allowed_hosts():
        raise ValueError(
            f"endpoint {url!r} is not on {LOCAL_HOST} nor on a room's address of the stack: "
            "the workload talks to nothing else"
        )
    return parsed.hostname, parsed.port


def smtp_send(url: str, sender: str, to: str, message_id: str, text: str, tls: ssl.SSLContext | None) -> None:
    """Send one message, after STARTTLS checked with tls when given (a server that does not offer it
    is then refused: Unsent); raise smtplib errors when refused, Unsent or Unanswered otherwise."""
    message = email.message.EmailMessage()
    message["From"], message["To"], message["Subject"], message["Message-ID"] = (
        sender,
        to,
        "workload",
        message_id,
    )
    message.set_content(text)
    try:
        smtp = smtplib.SMTP(*host_port(url), timeout=TIMEOUT_S)
    except OSError as exc:
        raise Unsent(str(exc)) from exc
    try:
        if tls is not None:
            smtp.starttls(context=tls)
    except (smtplib.SMTPException, OSError) as exc:  # nothing of the message was sent
        smtp.close()
        raise Unsent(f"STARTTLS: {exc}") from exc
    try:
        smtp.send_message(message)
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise Unanswered(str(exc)) from exc
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def imap_session(url: str, user: str, password: str, tls: ssl.SSLContext) -> imaplib.IMAP4:
    """A logged-in IMAP session, after STARTTLS checked with tls (the store takes no login before)."""
    imap = imaplib.IMAP4(*host_port(url), timeout=TIMEOUT_S)
    try:
        imap.starttls(ssl_context=tls)
        imap.login(user, password)
    except BaseException:
        imap.shutdown()
        raise
    return imap


def imap_inbox_count(url: str, user: str, password: str, tls: ssl.SSLContext) -> int:
    """Log in and count the INBOX's messages; raise Unsent when IMAP cannot be reached or refuses."""
    try:
        imap = imap_session(url, user, password, tls)
        try:
            status, data = imap.select("INBOX", readonly=True)
            if status != "OK":
                raise Unsent(f"select INBOX: {status}")
            return int(data[0] or 0)
        finally:
            imap.logout()
    except (OSError, imaplib.IMAP4.error, EOFError) as exc:
        raise Unsent(str(exc)) from exc


def imap_has(url: str, user: str, password: str, message_id: str, tls: ssl.SSLContext) -> bool:
    """Whether user's INBOX holds the message with this Message-ID; raise Unsent when IMAP fails."""
    try:
        imap = imap_session(url, user, password, tls)
        try:
            imap.select("INBOX", readonly=True)
            _, found = imap.search(None, "HEADER", "Message-ID", message_id)
            return bool(found and found[0])
        finally:
            imap.logout()
    except (OSError, imaplib.IMAP4.error, EOFError) as exc:
        raise Unsent(str(exc)) from exc


def oru(control_id: str, order: str, patient: str, stat: bool) -> bytes:
    """One HL7 v2.5 ORU^R01 with a glucose result, priority S or R in OBR-27 (as the analysers build them)."""
    return oru_r01(Order("WORKLOAD", control_id, patient, order, stat), GLUCOSE).encode()


def mllp_exchange(url: str, payload: bytes, tls: ssl.SSLContext | None = None) -> tuple[str, str]:
    """Send one framed message; return (MSA-1 code, MSA-3 text, unescaped) of the ACK. An mllps://
    URL is MLLP over TLS: it needs tls (the stack's CA), and a server the CA did not certify for
    the host is refused before anything is sent (Unsent)."""
    host, port = host_port(url)
    secure = url.startswith("mllps://")
    if secure and tls is None:
        raise Unsent(f"{url} is MLLP over TLS: the client needs the stack's CA to check the server")
    try:
        sock = socket.create_connection((host, port), timeout=TIMEOUT_S)
        if secure and tls is not None:
            sock = tls.wrap_socket(sock, server_hostname=host)
    except OSError as exc:  # the handshake included: no byte of the message has gone
        raise Unsent(str(exc)) from exc
    with sock:
        try:
            answer = mllp.exchange(sock, payload)
        except (OSError, mllp.FramingError) as exc:
            raise Unanswered(str(exc)) from exc
    ack = read_ack(answer)
    if ack is None:
        raise Unanswered("the answer holds no MSA segment")
    return ack.code, ack.text

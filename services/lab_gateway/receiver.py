"""The gateway's MLLP side: analysers' connections in, one ACK out per message.

A message is answered AA once journaled (and, while the database answers,
once delivered or after SYNC_ACK_S), AE or AR with a reason when refused, the
refusal kept in the reject store. A stream that is not MLLP closes its
connection (its bytes kept as a reject); a message over the size limit is
answered AR, then the rest of it is read and dropped before the close.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import time

from services.common import mllp
from services.common.ack import build_ack
from services.common.tls import TlsAccept
from services.lab_gateway.journal import Journal
from services.lab_gateway.validation import Refused, oversize_refusal, parse

MLLP_PORT = 2575  # plain, on the analysers' link
MLLPS_PORT = 2576  # over TLS, for everything else
# While the database answers, how long an ACK waits for its result to be delivered there.
SYNC_ACK_S = 1.0
# After an oversized message's AR: how long, and how much, the rest of it is read and dropped.
DRAIN_S = 10.0
DRAIN_BYTES = 64 * 1024 * 1024
# How long a silent analyser connection stays open.
IDLE_S = 300


def answer(journal: Journal, payload: bytes) -> str:
    """The ACK for one message: AA once journaled (after waiting a little for its delivery), else AE or AR."""
    try:
        result = parse(payload)
    except Refused as refused:
        journal.reject(refused, payload)
        return build_ack(refused.code, refused.control_id, refused.reason)
    journal.accept(result)
    journal.wait_delivered(result.control_id, SYNC_ACK_S)
    return build_ack("AA", result.control_id, receiver=result.sender or "ANALYSER")


class MLLPHandler(socketserver.BaseRequestHandler):
    """One analyser connection: frames in, one ACK out per frame."""

    journal: Journal

    def handle(self) -> None:
        """Answer every frame until the peer closes, the stream is not MLLP, or a frame is too big."""
        buffer = bytearray()
        self.request.settimeout(IDLE_S)
        while True:
            try:
                chunk = self.request.recv(65536)
                if not chunk:
                    return
                payloads = mllp.read_frame(buffer, chunk)
            except mllp.Oversize as oversize:
                self.refuse_oversize(oversize)
                return
            except mllp.FramingError as exc:
                self.journal.reject(Refused("AE", f"MLLP framing: {exc}"), bytes(buffer))
                return
            except OSError:
                return
            for payload in payloads:
                self.request.sendall(mllp.frame(answer(self.journal, payload)))

    def refuse_oversize(self, oversize: mllp.Oversize) -> None:
        """Answer AR stating the limit, keep the message's head, then let the sender finish and close.

        The rest of the frame is read and dropped (bounded in time and bytes)
        so that the sender reads the AR instead of a reset connection.
        """
        refused = oversize_refusal(oversize.head)
        self.journal.reject(refused, oversize.head)
        try:
            self.request.sendall(mllp.frame(build_ack(refused.code, refused.control_id, refused.reason)))
            self.request.shutdown(socket.SHUT_WR)
            self.request.settimeout(DRAIN_S)
            deadline, drained = time.monotonic() + DRAIN_S, 0
            while time.monotonic() < deadline and drained < DRAIN_BYTES:
                chunk = self.request.recv(65536)
                if not chunk or mllp.END + mllp.CR in chunk:
                    return
                drained += len(chunk)
        except OSError:
            return


class MLLPServer(socketserver.ThreadingTCPServer):
    """The MLLP listener: one thread per analyser connection."""

    allow_reuse_address = True
    daemon_threads = True


class MLLPSServer(TlsAccept, MLLPServer):
    """MLLP over TLS (services/common/tls.py): the same handler, behind a TLS handshake."""

    def __init__(self, address: tuple[str, int], handler: type[MLLPHandler], context: ssl.SSLContext) -> None:
        self.context = context
        super().__init__(address, handler)

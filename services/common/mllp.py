"""MLLP, the framing HL7 v2 travels in over TCP: <VT> message <FS><CR>.

Standard library only. `read_frame` is the receiving side's strict reader
(the gateway's); `exchange` is one round trip of a sender (the analysers',
the workload's, the probes'): one framed message out, one framed answer back.
"""

from __future__ import annotations

import socket

START, END, CR = b"\x0b", b"\x1c", b"\x0d"
# The largest message the gateway takes, and the largest answer a sender reads.
MAX_MESSAGE = 1024 * 1024


class FramingError(Exception):
    """The byte stream is not MLLP: the connection cannot be trusted any more."""


class Oversize(FramingError):
    """A frame over MAX_MESSAGE. head holds its first bytes (its MSH segment names the message)."""

    def __init__(self, head: bytes) -> None:
        super().__init__(f"message over {MAX_MESSAGE} bytes")
        self.head = head


def frame(message: str | bytes) -> bytes:
    """Wrap one HL7 message (text is sent as UTF-8) in MLLP framing."""
    data = message.encode("utf-8") if isinstance(message, str) else message
    return START + data + END + CR


def read_frame(buffer: bytearray, chunk: bytes) -> list[bytes]:
    """Add chunk to buffer and return the complete MLLP payloads it now holds.

    What is left in buffer is the start of the next frame. Raises
    FramingError on bytes outside a frame, Oversize on a frame over
    MAX_MESSAGE (whether it is still arriving or already whole).
    """
    buffer.extend(chunk)
    frames = []
    while buffer:
        if buffer[:1] != START:
            raise FramingError("data outside an MLLP frame (expected 0x0B)")
        end = buffer.find(END + CR)
        if (end < 0 and len(buffer) > MAX_MESSAGE + 3) or end - 1 > MAX_MESSAGE:
            raise Oversize(bytes(buffer[1:4097]))
        if end < 0:
            break
        frames.append(bytes(buffer[1:end]))
        del buffer[: end + 2]
    return frames


def exchange(sock: socket.socket, payload: bytes) -> bytes:
    """Send payload framed on sock and return the payload of the one framed answer.

    The socket's own timeout bounds each read. Raises OSError (a
    ConnectionError when the peer closes before its answer is whole) or
    FramingError when the answer is not one MLLP frame of at most MAX_MESSAGE.
    """
    sock.sendall(frame(payload))
    buffer = bytearray()
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the connection closed before a whole MLLP answer came back")
        answers = read_frame(buffer, chunk)
        if answers:
            return answers[0]

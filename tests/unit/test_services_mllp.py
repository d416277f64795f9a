"""MLLP framing (services/common/mllp.py): the gateway's strict reader and a sender's round trip."""

from __future__ import annotations

import socket
import threading

import pytest

from services.common import mllp


def test_frames_split_across_reads_and_several_in_one_read() -> None:
    buffer = bytearray()
    data = mllp.frame("A\r") + mllp.frame(b"B\r")
    assert mllp.read_frame(buffer, data[:3]) == []
    assert mllp.read_frame(buffer, data[3:]) == [b"A\r", b"B\r"]
    assert buffer == bytearray()


def test_the_start_of_the_next_frame_waits_in_the_buffer() -> None:
    buffer = bytearray()
    assert mllp.read_frame(buffer, mllp.frame("A") + mllp.START + b"B") == [b"A"]
    assert buffer == bytearray(mllp.START + b"B")


def test_bytes_outside_a_frame_and_oversize_are_framing_errors() -> None:
    with pytest.raises(mllp.FramingError, match="outside an MLLP frame"):
        mllp.read_frame(bytearray(), b"hello")
    with pytest.raises(mllp.FramingError, match="over"):
        mllp.read_frame(bytearray(), b"\x0b" + b"x" * (mllp.MAX_MESSAGE + 10))


def test_a_frame_at_the_limit_is_taken_and_one_byte_more_is_not() -> None:
    payload = b"z" * mllp.MAX_MESSAGE
    assert mllp.read_frame(bytearray(), mllp.frame(payload)) == [payload]
    with pytest.raises(mllp.Oversize) as caught:
        mllp.read_frame(bytearray(), mllp.frame(payload + b"z"))
    assert caught.value.head == b"z" * 4096


def answering(*replies: bytes) -> tuple[socket.socket, list[bytes]]:
    """A socket whose peer reads one frame, records it, then sends replies (and closes)."""
    ours, theirs = socket.socketpair()
    ours.settimeout(5)
    received: list[bytes] = []

    def peer() -> None:
        with theirs:
            buffer = bytearray()
            while not (frames := mllp.read_frame(buffer, theirs.recv(65536))):
                pass
            received.extend(frames)
            for reply in replies:
                theirs.sendall(reply)

    threading.Thread(target=peer, daemon=True).start()
    return ours, received


def test_an_exchange_sends_one_frame_and_returns_the_answer_however_it_is_cut() -> None:
    answer = mllp.frame("MSH|^~\\&|LABGW\rMSA|AA|C-1\r")
    sock, received = answering(answer[:5], answer[5:])
    with sock:
        assert mllp.exchange(sock, b"MSH|x\r") == b"MSH|^~\\&|LABGW\rMSA|AA|C-1\r"
    assert received == [b"MSH|x\r"]


def test_an_exchange_whose_peer_closes_early_or_answers_garbage_fails() -> None:
    sock, _ = answering(mllp.START + b"MSA|AA")
    with sock, pytest.raises(ConnectionError, match="closed before a whole MLLP answer"):
        mllp.exchange(sock, b"x")
    sock, _ = answering(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    with sock, pytest.raises(mllp.FramingError):
        mllp.exchange(sock, b"x")

"""The gateway's MLLP side (services/lab_gateway/receiver.py) on 127.0.0.1, spoken to by the workload
client and an analyser's link: one MLLP and HL7 home for all three."""

from __future__ import annotations

import json
import random
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from threading import Thread

import pytest

from drill.tls import issue, make_ca
from drill.workload import clients
from services.common import mllp
from services.common.ack import read_ack
from services.lab_analyser import analyser
from services.lab_gateway.journal import Journal
from services.lab_gateway.receiver import MLLPHandler, MLLPServer, MLLPSServer


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[str, Journal]]:
    journal = Journal(tmp_path)

    class Handler(MLLPHandler):
        pass

    Handler.journal = journal
    server = MLLPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    journal.receiving = True
    try:
        yield f"mllp://127.0.0.1:{server.server_address[1]}", journal
    finally:
        server.shutdown()
        server.server_close()


def test_a_result_is_acked_aa_and_a_resend_acked_again_but_journaled_once(
    gateway: tuple[str, Journal],
) -> None:
    url, journal = gateway
    for _ in range(3):
        assert clients.mllp_exchange(url, clients.oru("W-1", "O-1", "P00001", True)) == ("AA", "")
    assert [e["control_id"] for e in journal.pending()] == ["W-1"] and journal.health()["journaled"] == 1


def test_a_refusal_reaches_the_client_unescaped_and_is_kept(gateway: tuple[str, Journal]) -> None:
    url, journal = gateway
    payload = clients.oru("W-2", "O-2", "P00001", False).replace(b"ORU^R01^ORU_R01", b"ADT^A01")
    assert clients.mllp_exchange(url, payload) == ("AR", "message type 'ADT^A01' is not ORU^R01")
    assert journal.health()["rejected"] == 1 and journal.pending() == []


def test_bytes_outside_a_frame_close_the_connection_and_are_kept(
    gateway: tuple[str, Journal], tmp_path: Path
) -> None:
    url, _ = gateway
    with socket.create_connection(clients.host_port(url), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n\r\n")
        assert sock.recv(100) == b""
    [kept] = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert kept["code"] == "AE" and "MLLP framing" in kept["reason"]
    assert clients.mllp_exchange(url, clients.oru("W-3", "O-3", "P1", False))[0] == "AA"  # still receiving


def test_a_message_over_the_limit_is_answered_ar_before_the_close(gateway: tuple[str, Journal]) -> None:
    url, _ = gateway
    big = clients.oru("BIG-1", "O-4", "P1", False) + b"NTE|1||" + b"x" * (mllp.MAX_MESSAGE + 1)
    with socket.create_connection(clients.host_port(url), timeout=10) as sock:
        Thread(target=lambda: _send_quietly(sock, mllp.frame(big)), daemon=True).start()
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    ack = read_ack(answer.strip(mllp.START + mllp.END + mllp.CR))
    assert ack is not None and (ack.code, ack.control_id) == ("AR", "BIG-1") and "size limit" in ack.text


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except OSError:
        return


def test_an_analyser_sends_until_its_own_message_is_acked_aa(
    gateway: tuple[str, Journal], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, journal = gateway
    monkeypatch.setattr(analyser, "LOG", tmp_path / "analyser.jsonl")
    link = analyser.Link(*clients.host_port(url))
    control_id, text = analyser.message("AN01", 1, True, random.Random("AN01"))
    analyser.send_until_acked(link, control_id, text, True)
    analyser.send_until_acked(link, control_id, text, True)  # a resend on the same connection
    logged = [json.loads(line) for line in (tmp_path / "analyser.jsonl").read_text().splitlines()]
    assert [(e["event"], e.get("code")) for e in logged] == [("send", None), ("ack", "AA")] * 2
    assert analyser.sent_before() == 2  # first attempts: where a restarted analyser counts from
    assert [e["control_id"] for e in journal.pending()] == ["AN01-00000001"]
    link.drop()


def test_a_gateway_that_cannot_be_reached_is_unsent_for_the_workload() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(clients.Unsent):
        clients.mllp_exchange(f"mllp://127.0.0.1:{port}", b"MSH|")


@pytest.fixture
def tls_gateway(tmp_path: Path) -> Iterator[tuple[str, ssl.SSLContext]]:
    """The gateway's MLLP over TLS on 127.0.0.1, with a certificate of a CA of its own."""
    ca = make_ca("unit")
    served = issue(ca, ["hdrp-unit-lab-gateway-nord-1", "127.0.0.1"])
    (tmp_path / "cert.pem").write_text(served.cert)
    (tmp_path / "key.pem").write_text(served.key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")

    class Handler(MLLPHandler):
        pass

    Handler.journal = Journal(tmp_path)
    Handler.journal.receiving = True
    server = MLLPSServer(("127.0.0.1", 0), Handler, context)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"mllps://127.0.0.1:{server.server_address[1]}", clients.tls_context(ca.cert)
    finally:
        server.shutdown()
        server.server_close()


def test_mllp_over_tls_is_acked_for_a_client_trusting_the_stack_ca(
    tls_gateway: tuple[str, ssl.SSLContext],
) -> None:
    url, tls = tls_gateway
    assert clients.mllp_exchange(url, clients.oru("T-1", "O-T1", "P00001", True), tls) == ("AA", "")


def test_mllp_over_tls_refuses_plain_mllp_another_ca_and_a_client_without_one(
    tls_gateway: tuple[str, ssl.SSLContext],
) -> None:
    url, _ = tls_gateway
    payload = clients.oru("T-2", "O-T2", "P00002", False)
    with pytest.raises(clients.Unanswered):  # sent in clear: the TLS server answers no ACK
        clients.mllp_exchange(url.replace("mllps://", "mllp://"), payload)
    with pytest.raises(clients.Unsent, match="certificate verify failed"):
        clients.mllp_exchange(url, payload, clients.tls_context(make_ca("another").cert))
    with pytest.raises(clients.Unsent, match="needs the stack's CA"):
        clients.mllp_exchange(url, payload)

"""The lab-result gateway over real MLLP from the host: ACKs, rejects, dedup, STAT first after a backlog."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
import uuid
from urllib.parse import urlparse

import hl7 as python_hl7
import hl7.mllp
import pytest
import testinfra

from tests.integration.conftest import Deployed
from tests.integration.engine import client, http, listens_only_on, servers, wait_healthy

START, END = b"\x0b", b"\x1c\x0d"


def mllp_address(deployed: Deployed) -> tuple[str, int]:
    parsed = urlparse(deployed.topology.service("lab").endpoint("mllp"))
    assert parsed.hostname == "127.0.0.1" and parsed.port
    return parsed.hostname, parsed.port


def api(deployed: Deployed) -> str:
    return deployed.topology.service("lab").endpoint("http")


def oru(
    control_id: str, order: str, priority: str = "R", msg_type: str = "ORU^R01", version: str = "2.5"
) -> bytes:
    segments = [
        f"MSH|^~\\&|TEST|BIOLOGY|LABGW|CHU|20251107120000||{msg_type}|{control_id}|P|{version}",
        "PID|1||P00042^^^CHU^MR||DOE^JANE",
        f"OBR|1|{order}|{order}|GLU^Glucose^L|||20251107120000" + "|" * 20 + f"^^^^^{priority}",
        "OBX|1|NM|GLU^Glucose^L||5.4|mmol/L|||||F",
    ]
    return ("\r".join(segments) + "\r").encode()


def tls(deployed: Deployed) -> ssl.SSLContext:
    """What an instrument outside the platform trusts: the stack's CA (MLLP over TLS)."""
    return ssl.create_default_context(cadata=deployed.topology.tls_ca)


def connect(deployed: Deployed, timeout: float) -> ssl.SSLSocket:
    """A connection to the published MLLP over TLS, the server's certificate checked."""
    host, port = mllp_address(deployed)
    return tls(deployed).wrap_socket(
        socket.create_connection((host, port), timeout=timeout), server_hostname=host
    )


def exchange(deployed: Deployed, payload: bytes, framed: bool = True) -> str:
    """Send one message over a fresh MLLP connection; return the MSA segment of the answer ("" if none)."""
    with connect(deployed, timeout=5) as sock:
        sock.sendall(START + payload + END if framed else payload)
        answer = b""
        try:
            while not answer.endswith(END):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            return ""
    text = answer.strip(START + END).decode()
    return next((s for s in text.split("\r") if s.startswith("MSA|")), "")


def delivered(deployed: Deployed, order: str, timeout_s: float = 30) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status, rows, _ = http("GET", f"{api(deployed)}/results?order={order}")
        if status == 200 and isinstance(rows, list) and rows:
            return rows
        time.sleep(0.3)
    raise AssertionError(f"result for order {order} not delivered within {timeout_s} s")


def until_not_delivering(deployed: Deployed, timeout_s: float = 10) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status, health, _ = http("GET", f"{api(deployed)}/health")
        assert status == 200 and isinstance(health, dict)
        if health["delivering"] is False:
            return health
        time.sleep(0.3)
    raise AssertionError("the gateway still says it is delivering with its database stopped")


def test_result_is_acked_then_visible_to_clinicians(deployed: Deployed) -> None:
    ident = uuid.uuid4().hex[:10]
    assert exchange(deployed, oru(f"T-{ident}", f"O-{ident}")) == f"MSA|AA|T-{ident}|"
    [row] = delivered(deployed, f"O-{ident}")
    assert row["patient"] == "P00042" and row["priority"] == "R"


def test_a_resent_result_is_acked_again_and_stored_once(deployed: Deployed) -> None:
    ident = uuid.uuid4().hex[:10]
    for _ in range(3):
        assert exchange(deployed, oru(f"D-{ident}", f"O-{ident}")).startswith("MSA|AA|")
    time.sleep(1)
    assert len(delivered(deployed, f"O-{ident}")) == 1


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            oru("X-1", "O-x", msg_type="ADT^A01"),
            "MSA|AR|X-1|message type 'ADT\\S\\A01' is not ORU\\S\\R01",
        ),  # HL7-escaped ^
        (oru("X-2", "O-x", version="2.3"), "MSA|AR|X-2|HL7 version '2.3' is not 2.5"),
        (b"PID|1||P1\r", "MSA|AE||the message does not start with an MSH segment"),
        (oru("", "O-x"), "MSA|AE||MSH-10 (message control id) is empty"),
        (oru("X-3", "O-x").replace(b"OBX|", b"NTE|"), "MSA|AE|X-3|the message has no OBX segment"),
        (b"\xff\xfe" + oru("X-4", "O-x"), "MSA|AE||the message is not UTF-8 text"),
    ],
)
def test_bad_messages_are_refused_with_a_reason_and_kept(
    deployed: Deployed, payload: bytes, expected: str
) -> None:
    before = http("GET", f"{api(deployed)}/health")[1]
    assert exchange(deployed, payload) == expected
    after = http("GET", f"{api(deployed)}/health")[1]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert after["rejected"] == before["rejected"] + 1 and after["receiving"] is True


def test_bad_framing_closes_the_connection_not_the_gateway(deployed: Deployed) -> None:
    assert exchange(deployed, b"no frame at all\r", framed=False) == ""
    ident = uuid.uuid4().hex[:10]
    assert exchange(deployed, oru(f"A-{ident}", f"O-{ident}")).startswith("MSA|AA|")


@pytest.mark.parametrize("extra_mb", [1.01, 2, 8])
def test_a_message_over_the_limit_gets_an_ar_stating_the_limit_then_the_close(
    deployed: Deployed, extra_mb: float
) -> None:
    ident = uuid.uuid4().hex[:10]
    body = oru(f"BIG-{ident}", f"O-{ident}") + b"NTE|1||" + b"x" * int(extra_mb * 1024 * 1024)
    before = http("GET", f"{api(deployed)}/health")[1]
    answer = asyncio.run(asyncio.wait_for(_send_while_reading(deployed, START + body + END), 30))
    text = answer.strip(START + END).decode()
    msa = next(s for s in text.split("\r") if s.startswith("MSA|"))
    assert msa.startswith(f"MSA|AR|BIG-{ident}|") and "size limit of 1048576 bytes" in msa
    after = http("GET", f"{api(deployed)}/health")[1]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert after["rejected"] == before["rejected"] + 1 and after["receiving"] is True
    ident = uuid.uuid4().hex[:10]
    assert exchange(deployed, oru(f"A-{ident}", f"O-{ident}")).startswith("MSA|AA|")


async def _send_while_reading(deployed: Deployed, data: bytes) -> bytes:
    """Send data over MLLP/TLS while reading what comes back until the gateway closes; the gateway
    may close before it read all of it, as it should. One thread: TLS both ways in one event loop."""
    host, port = mllp_address(deployed)
    reader, writer = await asyncio.open_connection(host, port, ssl=tls(deployed))
    writer.write(data)
    answer = b""
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        while chunk := await reader.read(65536):
            answer += chunk
    writer.close()
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        await writer.wait_closed()
    return answer


@pytest.mark.parametrize(
    ("kind", "value", "named"),
    [("NM", "high", "OBX-5"), ("NM", "5,4", "OBX-5"), ("DT", "07/11/2026", "OBX-5"), ("ZZ", "1", "OBX-2")],
)
def test_a_value_that_does_not_fit_its_type_is_refused_ae_through_python_hl7(
    deployed: Deployed, kind: str, value: str, named: str
) -> None:
    ident = uuid.uuid4().hex[:10]
    text = (
        oru(f"T-{ident}", f"O-{ident}")
        .decode()
        .replace("OBX|1|NM|GLU^Glucose^L||5.4|", f"OBX|1|{kind}|GLU^Glucose^L||{value}|")
    )
    answer = asyncio.run(_python_hl7_exchange(deployed, text))
    msa = answer.segment("MSA")
    assert str(msa[1]) == "AE" and str(msa[2]) == f"T-{ident}"
    assert named in str(msa[3]) and kind in str(msa[3])
    good = asyncio.run(_python_hl7_exchange(deployed, oru(f"G-{ident}", f"O-{ident}").decode()))
    assert str(good.segment("MSA")[1]) == "AA"


async def _python_hl7_exchange(deployed: Deployed, text: str) -> python_hl7.Message:
    """One message through python-hl7's own MLLP client (its asyncio one, which takes TLS)."""
    host, port = mllp_address(deployed)
    reader, writer = await asyncio.wait_for(
        python_hl7.mllp.open_hl7_connection(host, port, ssl=tls(deployed)), 10
    )
    try:
        writer.writemessage(python_hl7.parse(text))
        await writer.drain()
        return await asyncio.wait_for(reader.readmessage(), 10)
    finally:
        writer.close()


def test_storage_down_still_acks_and_stat_goes_first_after(deployed: Deployed) -> None:
    [array] = deployed.topology.service("storage").containers
    tag = uuid.uuid4().hex[:8]
    client().containers.get(array.name).stop(timeout=1)
    try:
        for n in range(6):
            assert exchange(deployed, oru(f"R-{tag}-{n}", f"B-{tag}-R{n}", "R")).startswith("MSA|AA|")
        for n in range(3):
            assert exchange(deployed, oru(f"S-{tag}-{n}", f"B-{tag}-S{n}", "S")).startswith("MSA|AA|")
        health = until_not_delivering(deployed)
        assert health["receiving"] is True and int(str(health["pending"])) >= 9
    finally:
        client().containers.get(array.name).start()
    wait_healthy(array.name)
    stat = [delivered(deployed, f"B-{tag}-S{n}")[0]["delivered_at"] for n in range(3)]
    routine = [delivered(deployed, f"B-{tag}-R{n}")[0]["delivered_at"] for n in range(6)]
    assert max(float(str(t)) for t in stat) < min(float(str(t)) for t in routine)


def test_gateway_and_analysers_run_unprivileged_and_keep_sending(deployed: Deployed) -> None:
    lab = deployed.topology.service("lab")
    gateway = next(c.name for c in lab.containers if c.tier == "app")
    host = testinfra.get_host(f"docker://{gateway}")
    gateways = servers(host, "services.lab_gateway.gateway")
    assert len(gateways) == 1 and gateways[0].user == "labgw"
    # Plain MLLP on the analysers' link only; MLLP over TLS and the results API on the access network.
    listens_only_on(host, gateway, 2575, [deployed.topology.room("biology").network])
    listens_only_on(host, gateway, 2576, [deployed.topology.access_network])
    listens_only_on(host, gateway, 8000, [deployed.topology.access_network])
    assert host.file("/var/lib/lab-gateway/journal.jsonl").user == "labgw"
    analysers = [c.name for c in lab.containers if c.tier == "lab"]
    assert len(analysers) == 2
    for name in analysers:
        log = testinfra.get_host(f"docker://{name}").file("/var/lib/analyser/log.jsonl").content_string
        assert '"code": "AA"' in log


def test_plain_mllp_from_outside_the_analysers_link_gets_no_ack(deployed: Deployed) -> None:
    """The published port is MLLP over TLS: a message sent in clear is never acknowledged (the
    policy allows plain MLLP on the analysers' link only, where the analysers keep sending)."""
    ident = uuid.uuid4().hex[:10]
    with socket.create_connection(mllp_address(deployed), timeout=5) as sock:
        sock.sendall(START + oru(f"P-{ident}", f"O-{ident}") + END)
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                answer += chunk
    assert b"MSA|" not in answer
    assert exchange(deployed, oru(f"Q-{ident}", f"O-{ident}")).startswith("MSA|AA|")  # over TLS: taken

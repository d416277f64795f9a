"""What TLS costs per new connection, measured side by side on the standing stack.

Where one server takes both plain and TLS connections, both are timed in the
same run, interleaved (plain, TLS, plain, ...), each a whole new connection
and one exchange:
- PostgreSQL: pgbench, a new connection per `SELECT 1` (-C), inside the array
  over 127.0.0.1 (its own tools' address, where initdb's `host` line takes
  both) with PGSSLMODE disable, then require;
- HL7 over MLLP: one ORU^R01 and its ACK, from inside the lab gateway to its
  plain port (the analysers' link) and to its TLS port (checked with the CA);
- SMTP: EHLO, MAIL, RCPT and QUIT at the public port, plain and after
  STARTTLS (offered to all, required of none), nothing delivered.
The HTTPS services take TLS only: a new connection and GET /health is timed
whole, and the handshake in it apart, as what TLS adds.

The figures say what TLS adds to each connection a recovery's checks open:
milliseconds against an RTO of tens of seconds (bench/README.md).
"""

from __future__ import annotations

import json
import re
import smtplib
import socket
import time
from collections.abc import Callable

from docker.models.containers import Container

from drill.engines import container_of
from drill.errors import BenchError
from drill.progress import working
from drill.records.bench import TlsCost, TlsLink
from drill.stats import distribution
from drill.workload import clients
from infra.topology import Topology

ROUNDS = 3
MLLP_SCRIPT = r"""
import json, socket, ssl, sys, time
from services.common import mllp
from services.common.oru import Observation, Order, oru_r01
plain, secure, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
tls = ssl.create_default_context(cafile="/run/secrets/tls_ca_cert")
times = {"plain": [], "tls": []}
for n in range(reps):
    for kind, host, port in (("plain", plain, 2575), ("tls", secure, 2576)):
        order = Order("TLSBENCH", f"tlsbench-{kind}-{time.time_ns()}", "TLSBENCH", f"tb-{n}", False)
        payload = oru_r01(order, Observation("GLU", "Glucose", "5.1", "mmol/L")).encode()
        started = time.perf_counter()
        sock = socket.create_connection((host, port), timeout=10)
        if kind == "tls":
            sock = tls.wrap_socket(sock, server_hostname=secure.split(".", 1)[1])
        with sock:
            answer = mllp.exchange(sock, payload)
        times[kind].append((time.perf_counter() - started) * 1000)
        assert b"MSA|AA" in answer, answer
print(json.dumps(times))
"""


def bench_tls(topology: Topology, reps: int = 40) -> TlsCost:
    """Time reps new connections per variant, in ROUNDS interleaved rounds; return one row per link."""
    links = []
    with working("tls: PostgreSQL, plain and TLS connections…"):
        links.append(_postgres(_only(topology, "storage"), reps))
    with working("tls: HL7 over MLLP, plain and TLS…"):
        links.append(_mllp(topology, reps))
    with working("tls: SMTP, plain and STARTTLS…"):
        links.append(_smtp(topology, reps))
    with working("tls: HTTPS handshakes…"):
        links += [_https(topology, service, reps) for service in ("appointments", "lab")]
    return TlsCost(reps=reps * ROUNDS, links=tuple(links))


def _row(
    link: str, exchange: str, plain: list[float], tls: list[float], added: float | None = None
) -> TlsLink:
    """A link's row; added, when there is no plain to compare with, is what TLS adds (the handshake)."""
    plain_d, tls_d = distribution(plain), distribution(tls)
    added = tls_d["median"] - plain_d["median"] if plain_d else added
    return TlsLink(
        link=link,
        exchange=exchange,
        plain_ms=plain_d,
        tls_ms=tls_d,
        added_ms=round(added or 0.0, 2),
        ratio=round(tls_d["median"] / plain_d["median"], 2) if plain_d else None,
    )


def _only(topology: Topology, service: str) -> Container:
    info = next(c for c in topology.service(service).containers if c.tier in ("storage", "app"))
    found = container_of(topology, info)
    if found is None or found.status != "running":
        raise BenchError(f"{info.name} is not running", "stand the stack up first (`drill up`)")
    return found


def _exec(container: Container, argv: list[str], user: str = "root") -> str:
    done = container.exec_run(argv, user=user)
    if done.exit_code != 0:
        raise BenchError(
            f"{argv[0]} in {container.name} failed: {done.output.decode()[-400:]}", "see that output"
        )
    return str(done.output.decode())


def _postgres(array: Container, reps: int) -> TlsLink:
    """pgbench's average connection time, a round of reps connections per mode, interleaved."""
    script = (
        'echo "SELECT 1;" > /tmp/tls-bench.sql; PGPASSWORD=$(cat /run/secrets/postgres_password) '
        f"PGSSLMODE=$0 pgbench -n -C -f /tmp/tls-bench.sql -t {reps} -h 127.0.0.1 -U postgres postgres"
    )
    times: dict[str, list[float]] = {"disable": [], "require": []}
    for _ in range(ROUNDS):
        for mode, kept in times.items():
            said = _exec(array, ["bash", "-c", script, mode], user="postgres")
            found = re.search(r"latency average = ([0-9.]+) ms", said)
            if found is None:
                raise BenchError(f"pgbench said no latency: {said[-300:]}", f"run it in {array.name}")
            kept.append(float(found.group(1)))
    return _row(
        "PostgreSQL (app, lab, vault to the array)", "connect + SELECT 1", times["disable"], times["require"]
    )


def _mllp(topology: Topology, reps: int) -> TlsLink:
    gateway = _only(topology, "lab")
    host = gateway.name
    times: dict[str, list[float]] = {"plain": [], "tls": []}
    for _ in range(ROUNDS):
        said = _exec(gateway, ["python3", "-c", MLLP_SCRIPT, f"lab.{host}", f"access.{host}", str(reps)])
        for kind, values in json.loads(said.strip().splitlines()[-1]).items():
            times[kind] += values
    link = "HL7 over MLLP (analysers, users to the gateway)"
    return _row(link, "connect + ORU^R01 + ACK", times["plain"], times["tls"])


def _smtp(topology: Topology, reps: int) -> TlsLink:
    host, port = clients.host_port(topology.service("mail").endpoint("smtp"))
    to = topology.mail.addresses()[0]
    context = clients.tls_context(topology.tls_ca)

    def session(secure: bool) -> float:
        started = time.perf_counter()
        with smtplib.SMTP(host, port, timeout=10) as smtp:
            smtp.ehlo("tls-bench.invalid")
            if secure:
                smtp.starttls(context=context)
                smtp.ehlo("tls-bench.invalid")
            smtp.mail("tls-bench@bench.invalid")
            smtp.rcpt(to)
        return (time.perf_counter() - started) * 1000

    plain, tls = _interleaved(lambda: session(False), lambda: session(True), reps)
    return _row("SMTP (public port)", "EHLO + MAIL + RCPT + QUIT", plain, tls)


def _https(topology: Topology, service: str, reps: int) -> TlsLink:
    """TLS only: the handshake alone, against the TCP connect and the request after it."""
    url = topology.service(service).endpoint("http")
    host, port = clients.host_port(url)
    context = clients.tls_context(topology.tls_ca)
    handshakes, whole = [], []
    for _ in range(reps * ROUNDS):
        started = time.perf_counter()
        sock = socket.create_connection((host, port), timeout=10)
        connected = time.perf_counter()
        with context.wrap_socket(sock, server_hostname=host) as secure:
            handshakes.append((time.perf_counter() - connected) * 1000)
            secure.sendall(f"GET /health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            while secure.recv(65536):
                pass
        whole.append((time.perf_counter() - started) * 1000)
    added = distribution(handshakes)["median"]
    return _row(
        f"HTTPS ({service}, TLS only)", "connect + GET /health (added: the handshake)", [], whole, added
    )


def _interleaved(
    plain: Callable[[], float], tls: Callable[[], float], reps: int
) -> tuple[list[float], list[float]]:
    """reps * ROUNDS timings of each, alternating."""
    a, b = [], []
    for _ in range(reps * ROUNDS):
        a.append(plain())
        b.append(tls())
    return a, b

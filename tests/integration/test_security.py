"""Security as tests: no secret in the repository or in any image layer, the SAN and storage out of
reach from the access network, services not running as root where they need not.
(Ports on 127.0.0.1 only and unprivileged containers: tests/integration/test_deploy.py.)
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from drill.paths import PROJECT_ROOT
from drill.tls import make_ca
from infra.config import BACKUP_IDENTITY, SECRET_KEYS, TLS_CA_KEY, TLS_SERVERS
from tests.integration.conftest import Deployed
from tests.integration.engine import client

pytestmark = pytest.mark.docker
# Processes that keep root on purpose: Postfix's master, and Dovecot's master with its
# log and config processes (they start every worker as another user). A container's
# health check, which Docker runs as root for a moment, is told apart by its command line.
ROOT_ALLOWED = {"master", "dovecot", "log", "config"}


def secrets(deployed: Deployed) -> dict[str, str]:
    """Every generated secret and private key of the stack (the CA's certificate is public)."""
    keys = [*SECRET_KEYS, TLS_CA_KEY, BACKUP_IDENTITY, *(key for _, key in TLS_SERVERS.values())]
    return {key: deployed.secret(key) for key in keys}


def test_no_secret_is_in_any_file_git_tracks(deployed: Deployed) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    found = []
    for name in filter(None, tracked):
        path = PROJECT_ROOT / name.decode()
        if path.is_file():
            data = path.read_bytes()
            found += [
                f"{key} in {name.decode()}"
                for key, value in secrets(deployed).items()
                if value.encode() in data
            ]
    assert found == []


def test_no_secret_is_in_any_image_layer(deployed: Deployed) -> None:
    images = {
        client().containers.get(info.name).attrs["Config"]["Image"] for info in deployed.topology.containers()
    }
    values = [value.encode() for value in secrets(deployed).values()]
    # One export of every image (the Engine API's GET /images/get with each name): the layers
    # they share (the base, Python) come once, a third of the bytes of one export per image.
    api = client().api
    export = api._get(api._url("/images/get"), params={"names": sorted(images)}, stream=True)
    assert export.status_code == 200, export.text[:300]
    tail, seen = b"", 0
    for chunk in export.iter_content(2 * 1024 * 1024):
        window = tail + chunk
        found = any(value in window for value in values)
        assert not found, f"a secret is in a layer of one of {sorted(images)}: `docker save` each"
        tail, seen = window[-64:], seen + len(chunk)
    assert seen > 50_000_000  # the images, not an error's few bytes


@pytest.mark.parametrize(
    ("service", "tier", "port"),
    [("storage", "storage", 5432), ("mail", "storage", 143), ("vault", "backup", 8008)],
)
def test_storage_is_out_of_reach_from_the_access_network(
    deployed: Deployed, service: str, tier: str, port: int
) -> None:
    [target] = [c for c in deployed.topology.service(service).containers if c.tier == tier]
    addresses = [
        network["IPAddress"]
        for network in client().containers.get(target.name).attrs["NetworkSettings"]["Networks"].values()
    ]
    image = client().containers.get(target.name).attrs["Config"]["Image"]
    script = (
        "import socket, sys\n"
        "for host in sys.argv[2:]:\n"
        "    try:\n"
        "        socket.create_connection((host, int(sys.argv[1])), timeout=2).close()\n"
        "        print('reached', host)\n"
        "    except OSError:\n"
        "        pass\n"
    )
    output = client().containers.run(
        image,
        ["python3", "-c", script, str(port), target.name, *addresses],
        network=deployed.topology.access_network,
        remove=True,
        user="nobody",
    )
    assert output.decode().strip() == "", output.decode()


def root_processes(deployed: Deployed) -> set[tuple[str, str, str]]:
    """(container, pid, command line) of every root process not allowed, health checks aside."""
    found = set()
    for info in deployed.topology.containers():
        container = client().containers.get(info.name)
        check = " ".join((container.attrs["Config"].get("Healthcheck") or {}).get("Test", [])[1:])
        top = container.top(ps_args="-eo pid,uid,comm,args")
        for pid, uid, command, *args in top["Processes"]:
            line = " ".join(args)
            health_check = bool(check) and line.startswith(check)
            if uid == "0" and command not in ROOT_ALLOWED and not health_check:
                found.add((info.name, pid, line))
    return found


def test_services_do_not_run_as_root(deployed: Deployed) -> None:
    # A health check caught while it exits shows no command line: only what stays counts.
    first = root_processes(deployed)
    time.sleep(3)
    assert sorted(first & root_processes(deployed)) == []


EXPORT_PROBE = """
import json, ssl, sys, urllib.error, urllib.request
url, token, stack_ca, other_ca = sys.argv[1:5]
answers = {}
bearer = "Bearer "
asks = {"none": {}, "wrong": {"Authorization": bearer + "x" * 32}, "token": {"Authorization": bearer + token}}
trusting = ssl.create_default_context(cadata=stack_ca)
for name, headers in asks.items():
    for path in ("/restore-set", "/list/") + (("/tar/base",) if name != "token" else ()):
        request = urllib.request.Request(url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10, context=trusting) as answer:
                answers[name + path] = answer.status
        except urllib.error.HTTPError as refused:
            answers[name + path] = refused.code
tries = {
    "plaintext": (url.replace("https://", "http://"), None),
    "other-ca": (url, ssl.create_default_context(cadata=other_ca)),
}
for name, (where, context) in tries.items():
    request = urllib.request.Request(where + "/restore-set", headers=asks["token"])
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as answer:
            answers[name] = f"answered {answer.status}"
    except (urllib.error.URLError, ConnectionError) as refused:
        answers[name] = f"refused: {getattr(refused, 'reason', refused)}"
print(json.dumps(answers))
"""


@pytest.mark.parametrize(
    ("service", "token", "link"),
    [("vault", "vault_token", "backup-link"), ("mail", "mail_copy_token", "mail-restore-link")],
)
def test_a_vault_export_answers_only_a_request_that_carries_its_token(
    deployed: Deployed, service: str, token: str, link: str
) -> None:
    """A neighbour on the export's network without the token reads nothing, and is logged; the export
    speaks TLS only, with a certificate of the stack's CA: plaintext and another CA get nothing."""
    [export] = [c for c in deployed.topology.service(service).containers if c.tier == "backup"]
    target = client().containers.get(export.name)
    network = f"{deployed.topology.prefix}-{link}"  # where restores fetch from it
    assert network in target.attrs["NetworkSettings"]["Networks"]
    since = int(time.time()) - 1
    printed = client().containers.run(
        target.attrs["Config"]["Image"],
        [
            "python3",
            "-c",
            EXPORT_PROBE,
            f"https://{export.name}:8008",
            deployed.secret(token),
            deployed.secret("tls_ca_cert"),
            make_ca("another").cert,
        ],
        entrypoint=[],
        network=network,
        remove=True,
        user="nobody",
    )
    refused = [
        f"{who}{path}" for who in ("none", "wrong") for path in ("/restore-set", "/list/", "/tar/base")
    ]
    answers = json.loads(printed)
    assert "certificate verify failed" in answers.pop("other-ca"), printed
    assert answers.pop("plaintext").startswith("refused: "), printed  # a TLS server says no HTTP
    assert answers == {**dict.fromkeys(refused, 401), "token/restore-set": 200, "token/list/": 200}
    deadline = time.monotonic() + 10
    while (logged := target.logs(since=since).decode()).count("vault-export: refused GET ") < len(
        refused
    ) or "no TLS handshake" not in logged:
        assert time.monotonic() < deadline, f"not every refusal was logged: {logged[-2000:]}"
        time.sleep(0.5)
    assert "refused GET /tar/base from " in logged
    assert ": no credential" in logged and ": a wrong credential" in logged


PSQL_TRIES = """
set -u
printf '%s' "$STACK_CA" > /tmp/stack-ca.pem
printf '%s' "$OTHER_CA" > /tmp/other-ca.pem
try() {  # NAME CONNINFO: what libpq says to one connection attempt
  if out=$(psql "$2 dbname=appointments user=appointments connect_timeout=5" -Atc 'SELECT 1' 2>&1); then
    echo "$1: ok"
  else
    echo "$1: refused: $(echo "$out" | tr '\\n' ' ')"
  fi
}
try plaintext "host=$ARRAY sslmode=disable"
try verified "host=$ARRAY sslmode=verify-full sslrootcert=/tmp/stack-ca.pem"
try other-ca "host=$ARRAY sslmode=verify-full sslrootcert=/tmp/other-ca.pem"
try by-address "host=$ADDRESS sslmode=verify-full sslrootcert=/tmp/stack-ca.pem"
"""


def test_the_database_takes_tls_only_and_its_clients_verify_its_name(deployed: Deployed) -> None:
    """From the SAN: plaintext refused, the stack's CA and the array's name accepted, another CA
    refused, the array's address (not a name its certificate holds) refused."""
    [array] = deployed.topology.service("storage").containers
    container = client().containers.get(array.name)
    san = deployed.topology.room(array.room).san_network
    printed = (
        client()
        .containers.run(
            container.attrs["Config"]["Image"],
            ["bash", "-c", PSQL_TRIES],
            network=san,
            remove=True,
            user="nobody",
            environment={
                "ARRAY": array.name,
                "ADDRESS": container.attrs["NetworkSettings"]["Networks"][san]["IPAddress"],
                "STACK_CA": deployed.secret("tls_ca_cert"),
                "OTHER_CA": make_ca("another").cert,
                "PGPASSWORD": deployed.secret("appointments_db_password"),
            },
        )
        .decode()
    )
    answers = dict(line.split(": ", 1) for line in printed.strip().splitlines())
    assert answers["verified"] == "ok", printed
    assert "no encryption" in answers["plaintext"], printed
    assert "certificate verify failed" in answers["other-ca"], printed
    assert "does not match host name" in answers["by-address"], printed


def test_every_network_connection_to_the_database_is_encrypted(deployed: Deployed) -> None:
    """The apps' and the vault's sessions, as the array itself sees them (pg_stat_ssl)."""
    [array] = deployed.topology.service("storage").containers
    query = (
        "SELECT a.application_name || ' ' || a.backend_type || ' ' || s.ssl || ' ' || coalesce(s.version, '')"
        " FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.client_addr IS NOT NULL"
    )
    done = client().containers.get(array.name).exec_run(["psql", "-Atc", query], user="postgres")
    assert done.exit_code == 0, done.output
    sessions = done.output.decode().strip().splitlines()
    assert any(line.startswith("vault walsender true TLSv1.") for line in sessions), sessions
    assert sessions and all(" true TLSv1." in line for line in sessions), sessions

"""The intranet (services/intranet/intranet.py): every replica seeded alike, its pages on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.http_service import QuietServer
from services.intranet.intranet import DEPARTMENTS, STAFF, Intranet, make_handler, open_database


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = Intranet(open_database(tmp_path_factory.mktemp("replica")), "nord-2")
    server = QuietServer(("127.0.0.1", 0), make_handler(app))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, object, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.loads(answer.read()), answer.headers["X-Intranet-Replica"]
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), exc.headers["X-Intranet-Replica"]


def test_two_replicas_seed_the_same_data_and_keep_it_across_restarts(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one, two = Intranet(open_database(tmp_path / "a"), "a"), Intranet(open_database(tmp_path / "b"), "b")
    assert one.directory("Martin") == two.directory("Martin") and one.oncall("2025-11-10") == two.oncall(
        "2025-11-10"
    )
    assert one.health() == {"status": "ok", "replica": "a", "staff": STAFF}
    reopened = Intranet(open_database(tmp_path / "a"), "a")
    assert reopened.person(42) == one.person(42) and reopened.health()["staff"] == STAFF


def test_the_pages_answer_with_their_replica_named(served: str) -> None:
    assert get(f"{served}/health") == (200, {"status": "ok", "replica": "nord-2", "staff": STAFF}, "nord-2")
    status, found, _ = get(f"{served}/directory?q=Martin")
    assert status == 200 and isinstance(found, list) and 0 < len(found) <= 20
    assert all("Martin" in str(person["name"]) for person in found)
    status, person, _ = get(f"{served}/directory/7")
    assert status == 200 and isinstance(person, dict) and person["id"] == 7
    status, roster, _ = get(f"{served}/oncall?day=2025-11-08")
    assert status == 200 and isinstance(roster, list) and len(roster) == len(DEPARTMENTS)
    status, procedures, _ = get(f"{served}/procedures")
    assert status == 200 and isinstance(procedures, list) and len(procedures) == 60


@pytest.mark.parametrize(
    ("path", "error"),
    [
        (f"/directory/{STAFF + 1}", "no such staff id"),
        ("/nowhere", "no page /nowhere"),
        ("/directory/x", "no page /directory/x"),
    ],
)
def test_what_is_not_there_is_a_404_that_says_so(served: str, path: str, error: str) -> None:
    assert get(f"{served}{path}") == (404, {"error": error}, "nord-2")


def test_the_home_page_links_to_the_rest(served: str) -> None:
    with urllib.request.urlopen(f"{served}/", timeout=5) as answer:
        page = answer.read().decode()
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Replica nord-2." in page and "/directory?q=Martin" in page and "/procedures" in page

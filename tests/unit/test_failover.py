"""http_json_any and http_answers move to the next address only when one cannot be reached."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from drill.chaos import probes
from drill.workload import clients
from tests.unit.local_http import serving


class Handler(BaseHTTPRequestHandler):
    def answer(self) -> None:
        if self.path == "/hang-up":
            self.connection.shutdown(socket.SHUT_RDWR)  # the request arrived; no answer comes back
            return
        code = 503 if self.path == "/busy" else 200
        data = json.dumps({"path": self.path, "method": self.command}).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(autouse=True)
def nothing_missed_yet() -> None:
    clients.forget_missed()


@pytest.fixture(scope="module")
def answering() -> Iterator[str]:
    yield from serving(Handler)


@pytest.fixture(scope="module")
def closed() -> str:
    """An address on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_the_first_address_answers_without_failover(answering: str, closed: str) -> None:
    answer = clients.http_json_any("GET", [f"{answering}/a", f"{closed}/a"])
    assert (answer.status, answer.url, answer.failovers) == (200, f"{answering}/a", 0)
    assert answer.body == {"path": "/a", "method": "GET"}


def test_a_refused_address_fails_over_to_the_next(answering: str, closed: str) -> None:
    answer = clients.http_json_any("GET", [f"{closed}/a", f"{answering}/a"])
    assert (answer.status, answer.url, answer.failovers) == (200, f"{answering}/a", 1)


def test_a_refused_write_fails_over_too_since_nothing_arrived(answering: str, closed: str) -> None:
    answer = clients.http_json_any("POST", [f"{closed}/w", f"{answering}/w"], {"x": 1})
    assert (answer.status, answer.failovers) == (200, 1)
    assert answer.body == {"path": "/w", "method": "POST"}


def test_an_http_error_is_an_answer_and_is_not_failed_over(answering: str) -> None:
    answer = clients.http_json_any("GET", [f"{answering}/busy", f"{answering}/a"])
    assert (answer.status, answer.url, answer.failovers) == (503, f"{answering}/busy", 0)


def test_a_read_sent_but_unanswered_goes_to_the_next_address(answering: str) -> None:
    answer = clients.http_json_any("GET", [f"{answering}/hang-up", f"{answering}/a"])
    assert (answer.status, answer.url, answer.failovers) == (200, f"{answering}/a", 1)


def test_a_write_sent_but_unanswered_is_never_sent_again(answering: str) -> None:
    with pytest.raises(clients.Unanswered, match="hang-up: no answer"):
        clients.http_json_any("POST", [f"{answering}/hang-up", f"{answering}/w"], {"x": 1})


def test_no_address_reachable_is_unsent_naming_each(closed: str) -> None:
    with pytest.raises(clients.Unsent) as caught:
        clients.http_json_any("GET", [f"{closed}/a", f"{closed}/b"])
    assert f"{closed}/a" in str(caught.value) and f"{closed}/b" in str(caught.value)


def test_doubt_on_the_last_address_is_unanswered(answering: str, closed: str) -> None:
    with pytest.raises(clients.Unanswered):
        clients.http_json_any("GET", [f"{closed}/a", f"{answering}/hang-up"])


def test_addresses_outside_loopback_and_empty_lists_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one URL"):
        clients.http_json_any("GET", [])
    with pytest.raises(ValueError, match=r"not on 127\.0\.0\.1"):
        clients.http_json_any("GET", ["http://192.0.2.1:80/"])


def test_http_answers_counts_failovers_to_the_fallback(answering: str, closed: str) -> None:
    seen = probes.http_answers(f"{closed}/a", requests=3, fallback_urls=f" {closed}/b, {answering}/a ")
    # Only the first request fails over: the client then holds the dead address aside for a while.
    assert seen["requests"] == 3 and seen["failed"] == 0 and seen["failovers"] == 1


def test_http_answers_without_fallback_behaves_as_before(answering: str, closed: str) -> None:
    assert probes.http_answers(f"{answering}/a", requests=2)["failed"] == 0
    seen = probes.http_answers(f"{closed}/a", requests=2)
    assert (seen["failed"], seen["failovers"]) == (2, 0)


def test_an_address_just_missed_is_tried_last_for_a_while(
    answering: str, closed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host cut off answers nothing: each try would wait the whole timeout, so a client holds an
    address it just missed aside, and tries it again only last, and again first once the hold ends."""
    urls = [f"{closed}/a", f"{answering}/a"]
    assert clients.http_json_any("GET", urls).failovers == 1
    assert clients.http_json_any("GET", urls).failovers == 0  # the missed one now last
    with pytest.raises(clients.Unsent):
        clients.http_json_any("GET", [f"{closed}/b"])  # held aside, yet tried when it is the only one
    monkeypatch.setattr(clients, "MISSED_HOLD_S", 0.0)
    assert clients.http_json_any("GET", urls).failovers == 1  # the hold is over: first again

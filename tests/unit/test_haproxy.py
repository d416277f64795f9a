"""The HAProxy configuration retries and redispatches, and checks every replica."""

from __future__ import annotations

import pytest

from infra.haproxy import LISTEN_PORT, Backend, render_haproxy_config, render_tcp_proxy_config


def test_every_backend_is_a_checked_server_resolved_by_docker_dns() -> None:
    text = render_haproxy_config(
        [Backend("nord-2", "hdrp-x-intranet-nord-2", 8000), Backend("b", "h-b", 8001)]
    )
    assert "server nord-2 hdrp-x-intranet-nord-2:8000 check resolvers docker" in text
    assert "server b h-b:8001 check resolvers docker" in text
    assert f"bind :{LISTEN_PORT}" in text


def test_failed_requests_are_retried_on_another_replica() -> None:
    text = render_haproxy_config([Backend("a", "a", 1)])
    assert "option redispatch 1" in text
    assert "retry-on all-retryable-errors" in text
    assert "option httpchk GET /health" in text


def test_no_backend_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one backend"):
        render_haproxy_config([])


@pytest.mark.parametrize("listen", ["access.hdrp-x-intranet-lb-nord-2", "access.hdrp-y-intranet-lb-bellevue"])
def test_a_balancer_given_a_name_binds_to_it_and_to_loopback_only(listen: str) -> None:
    text = render_haproxy_config([Backend("a", "a", 1)], listen=listen)
    binds = [line.strip() for line in text.splitlines() if line.strip().startswith("bind ")]
    assert binds == [f"bind {listen}:{LISTEN_PORT}", f"bind 127.0.0.1:{LISTEN_PORT}"]


def test_the_imap_relay_binds_to_its_name_and_its_monitor_to_loopback() -> None:
    text = render_tcp_proxy_config("imap", 1143, Backend("store", "store", 143), listen="access.proxy")
    binds = [line.strip() for line in text.splitlines() if line.strip().startswith("bind ")]
    assert binds == [f"bind 127.0.0.1:{LISTEN_PORT}", "bind access.proxy:1143"]
    unbound = render_tcp_proxy_config("imap", 1143, Backend("store", "store", 143))
    assert [line.strip() for line in unbound.splitlines() if line.strip().startswith("bind ")] == [
        f"bind :{LISTEN_PORT}",
        "bind :1143",
    ]

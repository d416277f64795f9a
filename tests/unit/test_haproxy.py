"""The HAProxy configuration retries and redispatches, and checks every replica."""

from __future__ import annotations

import pytest

from infra.haproxy import LISTEN_PORT, Backend, render_haproxy_config


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

"""Probes: they observe the services from the host, as users would, and change nothing.

Each returns plain values that an experiment's tolerance checks; none
raises because a service is down, since being down is what they measure.
"""

from __future__ import annotations

import time

from drill.workload import clients

__all__ = ["http_answers"]


def http_answers(
    url: str, requests: int = 20, fallback_urls: str = "", tls_ca_file: str = ""
) -> dict[str, float]:
    """GET url `requests` times; return how many failed, how many failed over, and the slowest answer.

    fallback_urls: comma-separated URLs of the same resource at the service's
    other addresses (the intranet's other balancers), tried in order when the
    one before cannot be reached at all, as a browser does; an HTTP error is
    an answer and counts as failed. Returns requests, failed, failovers (the
    requests answered at another address than url) and slowest_s.
    tls_ca_file: the stack's CA certificate, for https:// URLs.
    """
    urls = [url, *(u.strip() for u in fallback_urls.split(",") if u.strip())]
    tls = clients.tls_from_file(tls_ca_file)  # for https:// URLs: the stack's CA
    failed, failovers, slowest = 0, 0, 0.0
    for _ in range(requests):
        started = time.monotonic()
        try:
            answer = clients.http_json_any("GET", urls, tls=tls)
            status, failovers = answer.status, failovers + (answer.failovers > 0)
        except (clients.Unsent, clients.Unanswered):
            status = 0
        slowest = max(slowest, time.monotonic() - started)
        failed += status != 200
    return {
        "requests": float(requests),
        "failed": float(failed),
        "failovers": float(failovers),
        "slowest_s": round(slowest, 3),
    }

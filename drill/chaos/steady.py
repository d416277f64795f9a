"""Probes for steady-state hypotheses: one plain value each, for a plain Chaos Toolkit tolerance."""

from __future__ import annotations

from drill.chaos.probes import http_answers
from drill.chaos.tries import booking_answer

__all__ = ["booking_status", "failed_requests"]


def failed_requests(url: str, requests: int = 10, fallback_urls: str = "", tls_ca_file: str = "") -> int:
    """How many of `requests` GETs of url failed (tolerance: 0); fallback_urls: comma-separated;
    tls_ca_file: the stack's CA certificate, for https:// URLs."""
    return int(http_answers(url, requests, fallback_urls, tls_ca_file)["failed"])


def booking_status(url: str, tls_ca_file: str = "") -> int:
    """The HTTP status of one booking of its own (tolerance: 201; 0 when nothing answered);
    tls_ca_file: the stack's CA certificate, for an https:// url."""
    status = booking_answer(url, tls_ca_file)["status"]
    return status if isinstance(status, int) else 0

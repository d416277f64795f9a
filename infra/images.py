"""The service images the program deploys, built beforehand from services/."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceImages:
    """Image references (name:content-hash) of every service image."""

    intranet: str
    intranet_lb: str
    postgres: str
    vault: str
    appointments: str
    lab_gateway: str
    lab_analyser: str
    mailstore: str
    mail_front: str

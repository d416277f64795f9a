"""Docker health checks with the testbed's timings.

Checks run every 2 s so that a dead service is seen within seconds, and
every container is created with `wait`, so a deploy ends only when all of
its containers are healthy.
"""

from __future__ import annotations

import pulumi_docker as docker

WAIT_TIMEOUT_S = 120


def healthcheck(*test: str, start_period: str = "30s") -> docker.ContainerHealthcheckArgs:
    """A health check that runs test (exec form, no shell) every 2 s, failing after 3 misses.

    start_period is written as Docker prints it back (under a minute: "45s"; "60s" would
    read back as "1m0s" and show as a change on every deploy).
    """
    return docker.ContainerHealthcheckArgs(
        tests=["CMD", *test], interval="2s", timeout="2s", retries=3, start_period=start_period
    )

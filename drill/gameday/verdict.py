"""The verdict of a game day: named checks, each passed or failed with what it saw.

One place decides whether a run passed, from what the experiment expects:
`recovery` (the plan restores everything, nothing acknowledged is lost),
`refusal` (the plan refuses and says what it cannot restore), `steady`
(the steady state holds through the fault) or `unchanged` (a blip under the
plan's grace: no disaster, nothing changed). The checks become the
summary's `reasons` (the failed ones) and the run's junit.xml test cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drill.gameday.journal import Journal
from drill.records.plan import PlanResult
from drill.records.summary import Check

if TYPE_CHECKING:
    from drill.gameday.facts import RunFacts

BOOKING_503_WITHIN_S = 2.5


def check(name: str, failure: str) -> Check:
    """A check that failed with failure, or passed when failure is empty."""
    return Check(name=name, passed=not failure, message=failure)


def verdict(facts: RunFacts, intranet_failed: int) -> list[Check]:
    """Every check of the run, in the order the report lists them."""
    journal = facts.journal
    if journal is None:
        return [check("the experiment ran", "the experiment wrote no journal (it was stopped before it ran)")]
    # A refusal leaves the storage dead until the rollbacks: the steady state cannot hold then.
    ended = journal.status == "completed" or facts.experiment.expect == "refusal"
    checks = [
        check("the experiment ran to its end", "" if ended else f"the experiment ended {journal.status}")
    ]
    for audit in facts.audits:
        lost = f"{len(audit.lost)} acknowledged writes lost" if audit.lost else ""
        checks.append(check(f"{audit.service}: nothing acknowledged lost", lost))
        unexpected = (
            f"{len(audit.unexpected)} writes present that were never attempted" if audit.unexpected else ""
        )
        checks.append(check(f"{audit.service}: nothing present that was never written", unexpected))
    failed = f"the intranet failed {intranet_failed} requests" if intranet_failed else ""
    checks.append(check("intranet: no failed request", failed))
    drift = f"`drill up` after the game day changed {facts.drift} resources" if facts.drift else ""
    checks.append(check("drill up after the game day changes nothing", drift))
    return checks + _expected(facts, journal)


def _expected(facts: RunFacts, journal: Journal) -> list[Check]:
    expect, plan = facts.experiment.expect, facts.plan
    if expect == "steady":
        return [check("the steady state held", "the steady state deviated" if journal.deviated else "")]
    if plan is None:
        return [check("the recovery plan ran", "the recovery plan did not finish (no plan.json)")]
    if expect == "refusal":
        claimed = plan.passed or not plan.cannot_restore
        said = "the recovery plan claimed success, or did not say what it cannot restore" if claimed else ""
        return [check("the recovery plan refused and named what it cannot restore", said)]
    if expect == "unchanged":
        return _unchanged(plan, journal)
    steady = journal.deviated or journal.steady_after is False
    return [
        check("the recovery plan passed", "" if plan.passed else plan.failed_step()),
        check(
            "the steady state held after recovery",
            "the steady state did not hold after recovery" if steady else "",
        ),
        *_during_fault(journal),
    ]


def _unchanged(plan: PlanResult, journal: Journal) -> list[Check]:
    """A blip under the grace: the plan passed, judged no damage and changed nothing; steady after."""
    judged = ""
    if not plan.passed:
        judged = plan.failed_step()
    elif plan.damage is None or plan.damage.lost:
        said = plan.damage.summary if plan.damage else "it judged nothing"
        judged = f"the recovery plan judged the storage lost after a blip under its grace: {said}"
    steady = journal.deviated or journal.steady_after is False
    return [
        check("the recovery plan judged no disaster", judged),
        check(
            "the recovery plan changed nothing",
            "the recovery plan changed the stack after a blip under its grace" if plan.changed else "",
        ),
        check(
            "the steady state held after the blip",
            "the steady state did not hold after the blip" if steady else "",
        ),
    ]


def _during_fault(journal: Journal) -> list[Check]:
    """What the method's probes saw during the fault, against what must hold (when they ran)."""
    checks = []
    booking = journal.output_of("booking-during-fault")
    if isinstance(booking, dict):
        fast = booking.get("status") == 503 and float(booking["seconds"]) < BOOKING_503_WITHIN_S
        said = "" if fast else f"a booking during the fault did not answer 503 within 2.5 s: {booking}"
        checks.append(check("bookings answered 503 fast during the fault", said))
    smtp = journal.output_of("smtp-during-fault")
    if smtp is not None:
        said = "" if smtp is not False else "SMTP did not accept mail during the fault"
        checks.append(check("SMTP accepted mail during the fault", said))
    ack = journal.output_of("stat-result-during-fault")
    if ack is not None:
        said = "" if ack == "AA" else f"a STAT result during the fault was answered {ack!r}, not AA"
        checks.append(check("a STAT result got AA during the fault", said))
    return checks

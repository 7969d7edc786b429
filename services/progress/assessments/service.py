"""A mentorship's health, assessed from what happened in it (`services.progress.health`).

A read assesses the mentorship as it is now, so it never shows a result older than the last
thing that happened, or blind to the time that passed since. The worker assesses again after
every event of a mentorship and nightly, stores the result (for the program's report) and
announces a change of its risk flags once: `mentorship.at_risk` when a warning or critical
flag is raised, `mentorship.recovered` when one clears.
"""

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.logging import get_logger
from services.core.models import utcnow
from services.core.outbox import emit_many
from services.core.queue import Lane
from services.profiles import queries as profiles
from services.progress import health
from services.progress.assessments import repository
from services.progress.mentorships import service as mentorships
from services.progress.mentorships.models import Mentorship

log = get_logger(__name__)


def _thresholds(policies: profiles.ProgressPolicies | None) -> health.Thresholds:
    if policies is None:
        return health.Thresholds()
    try:
        return health.Thresholds.from_mapping(policies.health_thresholds)
    except health.InvalidThresholds:
        # Refused when written (programs' schema); an older stored value falls back whole.
        log.warning("health.thresholds_ignored")
        return health.Thresholds()


async def assess_many(
    session: AsyncSession, tenant_id: uuid.UUID, found: Sequence[Mentorship], now: datetime
) -> dict[uuid.UUID, health.Health]:
    policies = await profiles.progress_policies(session, tenant_id, {m.program_id for m in found})
    intervals = {
        m.id: policies[m.program_id].evaluation_interval_days
        for m in found
        if m.program_id in policies
    }
    expertise = await profiles.expertise_keys(session, tenant_id, {m.mentor_id for m in found})
    facts = await repository.facts_of(
        session, found, evaluation_interval_days=intervals, expertise=expertise, now=now
    )
    # Once per program, not per mentorship: a nightly batch is mostly one program.
    thresholds = {
        program_id: _thresholds(policies.get(program_id))
        for program_id in {m.program_id for m in found}
    }
    return {m.id: health.assess(facts[m.id], thresholds[m.program_id]) for m in found}


async def health_of(
    session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID
) -> tuple[health.Health, datetime]:
    mentorship = await mentorships.get_mentorship(session, principal, mentorship_id)
    now = utcnow()
    assessed = await assess_many(session, mentorship.tenant_id, [mentorship], now)
    return assessed[mentorship.id], now


async def recompute(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    mentorship_ids: Sequence[uuid.UUID],
    now: datetime,
    *,
    lane: Lane = Lane.INTERACTIVE,
) -> int:
    """Assess these mentorships, store the results and announce each change of risk flags
    once, on `lane` (the nightly recompute's thousands take the bulk lane, so they never
    queue ahead of what a person is waiting for); returns how many changed their flags."""
    found = await repository.mentorships_by_id(session, mentorship_ids)
    if not found:
        return 0
    before = await repository.stored_kinds(session, [m.id for m in found])
    assessed = await assess_many(session, tenant_id, found, now)
    changed = 0
    results = []
    announcements: list[tuple[str, dict[str, Any]]] = []
    for mentorship in found:
        result = assessed[mentorship.id]
        kinds = health.at_risk_kinds(result)
        raised, cleared = health.flag_changes(before.get(mentorship.id, set()), kinds)
        flags = [asdict(flag) for flag in result.flags]
        if raised or cleared:
            changed += 1
            announcements += _announcements(mentorship, result, flags, raised, cleared, kinds)
        results.append(
            {
                "mentorship_id": mentorship.id,
                "score": result.score,
                "flags": flags,
                "strengths": result.strengths,
                "flag_kinds": sorted(kinds),
                "computed_at": now,
            }
        )
    # One statement for the batch's events, however many changed.
    await emit_many(session, announcements, tenant_id=tenant_id, lane=lane)
    await repository.store(session, tenant_id, results)
    return changed


def _announcements(
    mentorship: Mentorship,
    result: health.Health,
    flags: list[dict[str, Any]],
    raised: list[str],
    cleared: list[str],
    remaining: set[str],
) -> list[tuple[str, dict[str, Any]]]:
    """`mentorship.at_risk` for the flags just raised, `mentorship.recovered` for those just
    cleared (with what still stands, if anything)."""
    data = {
        "mentorship_id": str(mentorship.id),
        "mentee_id": str(mentorship.mentee_id),
        "mentor_id": str(mentorship.mentor_id),
        "program_id": str(mentorship.program_id) if mentorship.program_id else None,
        "score": result.score,
    }
    events: list[tuple[str, dict[str, Any]]] = []
    if raised:
        events.append(
            (
                "mentorship.at_risk",
                {**data, "raised": raised, "flags": [f for f in flags if f["kind"] in raised]},
            )
        )
    if cleared:
        events.append(
            (
                "mentorship.recovered",
                {**data, "cleared": cleared, "still_at_risk": sorted(remaining)},
            )
        )
    return events

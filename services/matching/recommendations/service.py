"""Use cases: a mentee's ranked mentors, and why one mentor is (not) among them. Read only.

Authorisation: an admin may ask about any person of the organisation; anyone else only about
themselves (403 for another person who exists, 404 for one who does not, here or at all).
Without a program, every mentor of the organisation is a candidate and the default program's
weights apply (the defaults when there is none); with one, only its mentors, with its weights.
"""

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Forbidden, NotFound
from services.matching import features, scoring
from services.matching.features import FACTORS, MatchProfile
from services.matching.recommendations.index import MentorIndex
from services.profiles import queries as profiles
from services.progress import queries as progress
from services.proposals import queries as proposals


@dataclass(frozen=True)
class Pick:
    """One scored mentor: what was read from the index, before the reasons are written."""

    mentor_id: uuid.UUID
    score: float
    factors: dict[str, float]


@dataclass(frozen=True)
class Recommendation:
    mentor_id: uuid.UUID
    display_name: str
    headline: str
    score: float
    factors: dict[str, float]
    reasons: list[str]


@dataclass(frozen=True)
class Explanation(Recommendation):
    mentee_id: uuid.UUID
    eligible: bool
    blocked_by: list[str]


async def _people(
    session: AsyncSession, tenant_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> dict[uuid.UUID, MatchProfile]:
    rows = await profiles.matching_rows(session, tenant_id, user_ids=user_ids)
    return {row.user_id: features.from_row(row) for row in rows}


async def person(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> MatchProfile | None:
    """One person as matching sees them; None when the tenant has no such person."""
    return (await _people(session, tenant_id, [user_id])).get(user_id)


def _may_ask_about(principal: Principal, mentee_id: uuid.UUID) -> None:
    if mentee_id != principal.user_id and not principal.has_role("admin"):
        raise Forbidden("Only an admin may ask about another person's matches.")


async def _weights(
    session: AsyncSession, tenant_id: uuid.UUID, program_id: uuid.UUID | None
) -> Mapping[str, float] | None:
    weights = await profiles.program_weights(session, tenant_id, program_id)
    if weights is None and program_id is not None:
        raise NotFound("No such program.")
    if not weights:
        return None
    try:
        scoring.weights_vector(weights)
    except ValueError:
        # Programs validate their weights on write; a row from before that rule gets the
        # defaults rather than a failed request.
        return None
    return weights


async def _existing(
    session: AsyncSession, tenant_id: uuid.UUID, mentee_id: uuid.UUID
) -> set[uuid.UUID]:
    """Mentors this mentee already has an open request or a running mentorship with."""
    return await proposals.open_mentor_ids(
        session, tenant_id, mentee_id
    ) | await progress.active_mentor_ids(session, tenant_id, mentee_id)


def _factors(scores: scoring.Scores, row: int) -> dict[str, float]:
    named = scoring.factor_map(scores, row)
    return {name: named.get(name, 0.0) for name in FACTORS}


async def recommend(
    session: AsyncSession,
    index: MentorIndex,
    principal: Principal,
    *,
    mentee_id: uuid.UUID | None,
    program_id: uuid.UUID | None,
    limit: int,
    as_of: datetime | None = None,
) -> list[Recommendation]:
    tenant_id = principal.tenant_id
    mentee_id = mentee_id or principal.user_id
    mentee = await person(session, tenant_id, mentee_id)
    if mentee is None:
        raise NotFound("No such person.")
    _may_ask_about(principal, mentee_id)
    ranked = await rank_many(
        session,
        index,
        tenant_id,
        [Ask(mentee_id, program_id)],
        limit=limit,
        as_of=as_of,
        mentees={mentee_id: mentee},
    )
    return ranked[0]


@dataclass(frozen=True)
class Ask:
    """A mentee to rank mentors for, within a program (None: every mentor of the
    organisation), never proposing the mentors in `exclude`."""

    mentee_id: uuid.UUID
    program_id: uuid.UUID | None
    exclude: frozenset[uuid.UUID] = frozenset()


async def rank_many(
    session: AsyncSession,
    index: MentorIndex,
    tenant_id: uuid.UUID,
    asks: Sequence[Ask],
    *,
    limit: int,
    as_of: datetime | None = None,
    mentees: Mapping[uuid.UUID, MatchProfile] | None = None,
) -> list[list[Recommendation]]:
    """Each mentee's best mentors, whoever asks, one list per ask in order (empty for a mentee
    the tenant does not have): a few statements and one catch-up of the index for them all,
    however many they are. `mentees`: the caller has already read them. Raises NotFound for a
    program the tenant does not have."""
    if mentees is None:
        mentees = await _people(session, tenant_id, list({ask.mentee_id for ask in asks}))
    weights = {
        program_id: await _weights(session, tenant_id, program_id)
        for program_id in {ask.program_id for ask in asks}
    }
    existing: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    pairs = await proposals.open_pairs(session, tenant_id, list(mentees))
    for mentee_id, mentor_id in pairs | await progress.running_pairs(
        session, tenant_id, list(mentees)
    ):
        existing[mentee_id].add(mentor_id)
    when = as_of or datetime.now(UTC)

    arrays = await index.current(session, tenant_id)
    # No await from here until the picks are read: the arrays may change at the next one.
    picked: list[list[Pick]] = []
    for ask in asks:
        mentee = mentees.get(ask.mentee_id)
        if mentee is None:
            picked.append([])
            continue
        scores = scoring.score(
            arrays,
            mentee,
            weights[ask.program_id],
            as_of=when,
            program_id=ask.program_id,
            excluded=existing[ask.mentee_id] | ask.exclude,
        )
        picked.append(
            [
                Pick(
                    arrays.user_id_at(row),
                    round(float(scores.total[row]), 4),
                    _factors(scores, row),
                )
                for row in scoring.top(scores, limit)
            ]
        )

    # Reasons only for what is returned, from the mentors' rows as they are now.
    mentors = await _people(
        session, tenant_id, list({pick.mentor_id for picks in picked for pick in picks})
    )
    return [
        [
            Recommendation(
                mentor_id=pick.mentor_id,
                display_name=mentor.display_name,
                headline=mentor.headline,
                score=pick.score,
                factors=pick.factors,
                reasons=scoring.reasons(mentees[ask.mentee_id], mentor, pick.factors, as_of=when),
            )
            for pick in picks
            if (mentor := mentors.get(pick.mentor_id)) is not None
        ]
        for ask, picks in zip(asks, picked, strict=True)
    ]


async def explain(
    session: AsyncSession,
    index: MentorIndex,
    principal: Principal,
    *,
    mentee_id: uuid.UUID | None,
    mentor_id: uuid.UUID,
    program_id: uuid.UUID | None,
    as_of: datetime | None = None,
) -> Explanation:
    tenant_id = principal.tenant_id
    mentee_id = mentee_id or principal.user_id
    people = await _people(session, tenant_id, [mentee_id, mentor_id])
    mentee, mentor = people.get(mentee_id), people.get(mentor_id)
    if mentee is None or mentor is None:
        raise NotFound("No such person." if mentee is None else "No such mentor.")
    _may_ask_about(principal, mentee_id)
    weights = await _weights(session, tenant_id, program_id)
    existing = mentor_id in await _existing(session, tenant_id, mentee_id)
    blocked = scoring.blocked_by(mentee, mentor, program_id=program_id, existing=existing)
    when = as_of or datetime.now(UTC)

    # Scored against the tenant's index when the mentor is in it, so the numbers are those a
    # recommendation shows; one who is not (deactivated, no longer a mentor) alone, as if
    # they were an active mentor, so the factors are still shown.
    arrays = await index.current(session, tenant_id)
    row = arrays.row_of(mentor_id)
    if row is None:
        arrays = scoring.MentorArrays(capacity=1)
        arrays.upsert([dataclasses.replace(mentor, active=True, is_mentor=True)])
        row = arrays.row_of(mentor_id)
        assert row is not None
    scores = scoring.score(arrays, mentee, weights, as_of=when, program_id=program_id)
    factors = _factors(scores, row)
    return Explanation(
        mentor_id=mentor_id,
        display_name=mentor.display_name,
        headline=mentor.headline,
        score=round(float(scores.total[row]), 4),
        factors=factors,
        reasons=scoring.reasons(mentee, mentor, factors, as_of=when),
        mentee_id=mentee_id,
        eligible=not blocked,
        blocked_by=blocked,
    )

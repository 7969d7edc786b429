"""What other services may use from matching: the matching view of a person and the
availability arithmetic matching itself uses, so a request review reads a mentor's week exactly
as recommendations do; the eligibility rules, so a request is refused for the reasons a
recommendation would leave the mentor out; a mentee's next best mentors, ranked as
recommendations rank them; and a mentor's brief on the mentees who asked them.

The brief: the pair's score and factors as matching computes them, and reasons written to the
mentor (`mentor_reasons`). Many mentees for one mentor cost one statement for the people (the
mentor and every mentee at once), one per distinct program for its weights, and no index: the
mentor alone is put in a one-row `MentorArrays` and each mentee is scored against it, as
`explain` scores a mentor who is not in the tenant's index. The numbers are matching's own; only
the text-relevance part can differ a little from a recommendation's, since its word weights come
from the one profile rather than from every mentor of the organisation.
"""

import dataclasses
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.errors import NotFound
from services.core.settings import get_settings
from services.matching import features, scoring
from services.matching.availability import (
    covers,
    overlap_hours,
    person_zone,
    timezone_distance_hours,
)
from services.matching.features import FACTORS, MatchProfile, Window, from_row
from services.matching.mentor_reasons import reasons_for_mentor
from services.matching.recommendations import service as recommendations
from services.matching.recommendations.index import MentorIndex
from services.matching.recommendations.service import Ask as NextBestAsk
from services.matching.scoring import blocked_by
from services.profiles import queries as profiles

__all__ = [
    "MatchProfile",
    "MentorBrief",
    "NextBestAsk",
    "Window",
    "blocked_by",
    "brief_for_mentor",
    "briefs_for_mentor",
    "covers",
    "from_row",
    "next_best_mentors",
    "next_best_mentors_many",
    "overlap_hours",
    "person_zone",
    "timezone_distance_hours",
]

# (mentee, program): the program's weights apply; None for the organisation's default program.
Pair = tuple[uuid.UUID, uuid.UUID | None]


@dataclass(frozen=True)
class MentorBrief:
    mentee_id: uuid.UUID
    display_name: str
    headline: str
    score: float
    factors: dict[str, float]
    reasons: list[str]
    goals: list[str]  # the titles of the goals on the mentee's profile


async def _weights(
    session: AsyncSession, tenant_id: uuid.UUID, program_id: uuid.UUID | None
) -> Mapping[str, float] | None:
    """The program's weights, or the defaults where it has none (or none that still hold)."""
    weights = await profiles.program_weights(session, tenant_id, program_id)
    if not weights:
        return None
    try:
        scoring.weights_vector(weights)
    except ValueError:
        return None
    return weights


async def briefs_for_mentor(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    mentor_id: uuid.UUID,
    pairs: Iterable[Pair],
    *,
    as_of: datetime | None = None,
) -> dict[Pair, MentorBrief]:
    """The brief on each (mentee, program) for this mentor; a person who is not found (or a
    mentor who is not) has none."""
    wanted = list(dict.fromkeys(pairs))
    if not wanted:
        return {}
    user_ids = list(dict.fromkeys([mentor_id, *(mentee_id for mentee_id, _ in wanted)]))
    rows = await profiles.matching_rows(session, tenant_id, user_ids=user_ids)
    people = {row.user_id: features.from_row(row) for row in rows}
    mentor = people.get(mentor_id)
    if mentor is None:
        return {}
    weights = {
        program_id: await _weights(session, tenant_id, program_id)
        for program_id in dict.fromkeys(program_id for _, program_id in wanted)
    }
    arrays = scoring.MentorArrays(capacity=1)
    # Scored as an open mentor whatever they are now: the brief is about the fit, not about
    # whether they may be asked (a full mentor still reads why a mentee fits).
    arrays.upsert([dataclasses.replace(mentor, active=True, is_mentor=True)])
    row = arrays.row_of(mentor_id)
    assert row is not None
    when = as_of or datetime.now(UTC)
    briefs = {}
    for mentee_id, program_id in wanted:
        mentee = people.get(mentee_id)
        if mentee is None or mentee_id == mentor_id:
            continue
        scores = scoring.score(arrays, mentee, weights[program_id], as_of=when)
        named = scoring.factor_map(scores, row)
        factors = {name: named.get(name, 0.0) for name in FACTORS}
        briefs[(mentee_id, program_id)] = MentorBrief(
            mentee_id=mentee_id,
            display_name=mentee.display_name,
            headline=mentee.headline,
            score=round(float(scores.total[row]), 4),
            factors=factors,
            reasons=reasons_for_mentor(mentee, mentor, factors, as_of=when),
            goals=[goal.title for goal in mentee.goals if goal.title],
        )
    return briefs


async def brief_for_mentor(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    mentee_id: uuid.UUID,
    mentor_id: uuid.UUID,
    program_id: uuid.UUID | None,
    *,
    as_of: datetime | None = None,
) -> MentorBrief | None:
    """The brief on one mentee for this mentor (`briefs_for_mentor` for one pair)."""
    found = await briefs_for_mentor(
        session, tenant_id, mentor_id, [(mentee_id, program_id)], as_of=as_of
    )
    return found.get((mentee_id, program_id))


# The index for callers outside matching's app (the proposals sweep in a worker): one per
# process, kept current by the change feed like the app's own.
_index: MentorIndex | None = None


def _process_index() -> MentorIndex:
    global _index
    if _index is None:
        _index = MentorIndex(idle_seconds=get_settings().matching_index_idle_minutes * 60)
    return _index


async def next_best_mentors(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    mentee_id: uuid.UUID,
    program_id: uuid.UUID | None,
    *,
    exclude: Collection[uuid.UUID] = (),
    limit: int = 3,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """The mentee's best mentors after `exclude`, as `GET /v1/matching/recommendations`
    ranks them (program None: every mentor of the organisation): `[{mentor_id, score,
    reasons}]`, JSON as it is, best first. Empty when the mentee has no profile or the program
    is gone."""
    try:
        found = await next_best_mentors_many(
            session,
            tenant_id,
            [NextBestAsk(mentee_id, program_id, frozenset(exclude))],
            limit=limit,
            as_of=as_of,
        )
    except NotFound:
        return []
    return found[0]


async def next_best_mentors_many(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    asks: Sequence[NextBestAsk],
    *,
    limit: int = 3,
    as_of: datetime | None = None,
) -> list[list[dict[str, Any]]]:
    """`next_best_mentors` for many mentees at once (a batch of expiring requests), one list
    per ask in order, in a few statements whatever their number. Raises NotFound when an ask's
    program is not the tenant's."""
    ranked = await recommendations.rank_many(
        session, _process_index(), tenant_id, asks, limit=limit, as_of=as_of
    )
    return [
        [
            {"mentor_id": str(pick.mentor_id), "score": pick.score, "reasons": pick.reasons}
            for pick in picks
        ]
        for picks in ranked
    ]

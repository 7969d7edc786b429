"""Applying a cohort run: its assignments become pending requests, or running mentorships when
the program says so (`apply_runs_as`), in the caller's one transaction. Flushes, never commits.

Once, whatever the number of calls: the run's row is locked first, and a run applied already
answers the report it stored then, changing nothing. Each pair is looked at again as it is now,
since people change between the run and its apply; a pair that may no longer be made is skipped
and reported with its reason, the others are made. Everything is read and written a batch at a
time (twenty thousand assignments are a few dozen statements, not one per pair).

A mentee's advisory lock (`proposals.repository.lock_mentee`) is not taken here: thousands of
them would fill the server's lock table. The open-pair index keeps a request that a mentee sends
meanwhile from doubling one of the run's, and the places are taken under the mentors' row locks,
so capacities hold; only a mentee accepting another mentor in the same instant as the apply in
`mentorships` mode could end up with two mentors where one at a time is the rule.
"""

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, cast

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import Conflict, NotFound
from services.core.models import utcnow
from services.matching import queries as matching
from services.matching.runs import repository
from services.matching.runs.models import MatchingRun
from services.matching.runs.schemas import (
    AppliedPair,
    ApplyMode,
    ApplyReport,
    SkippedPair,
    SkipReason,
)
from services.matching.runs.service import SUCCEEDED
from services.profiles import commands as profiles_commands
from services.profiles import queries as profiles
from services.progress import commands as progress_commands
from services.progress import queries as progress
from services.proposals import commands as proposals_commands
from services.proposals import queries as proposals

Pair = tuple[uuid.UUID, uuid.UUID]  # (mentee, mentor)

# What keeps a mentor from a new request or mentorship, in the order a skip names the first
# that holds. A shared language is matching's preference, not a rule (as for a request), and
# places are counted pair by pair below, not read from the profile alone.
_MENTOR_RULES: Final[tuple[SkipReason, ...]] = (
    "deactivated",
    "not_a_mentor",
    "not_in_program",
    "not_accepting",
    "conflict_of_interest",
)
WITHDRAWN_REASON: Final = "The program's matching run gave the mentee a mentor in this program."


@dataclass(frozen=True, slots=True)
class Standing:
    """What stands between the run's pairs now, read before any of them is made."""

    people: Mapping[uuid.UUID, matching.MatchProfile]
    open_requests: Collection[Pair]
    running: Collection[Pair]
    mentored: Collection[uuid.UUID]  # mentees with a running mentorship in the program


def screen(
    pairs: Sequence[Pair],
    standing: Standing,
    *,
    program_id: uuid.UUID,
    one_mentor_at_a_time: bool,
) -> tuple[list[Pair], list[tuple[Pair, SkipReason]]]:
    """The pairs that may be made now, and the others with the first reason that holds, both
    in the run's order (best score first). Pure. Each mentor gets at most the places they have
    left: the best-scored pairs first, as the run gave them."""
    places = {
        person.user_id: person.places_left
        for person in standing.people.values()
        if person.is_mentor
    }
    kept: list[Pair] = []
    skipped: list[tuple[Pair, SkipReason]] = []
    for pair in pairs:
        reason = _reason(pair, standing, program_id, one_mentor_at_a_time, places)
        if reason is None:
            places[pair[1]] -= 1
            kept.append(pair)
        else:
            skipped.append((pair, reason))
    return kept, skipped


def _reason(
    pair: Pair,
    standing: Standing,
    program_id: uuid.UUID,
    one_mentor_at_a_time: bool,
    places: Mapping[uuid.UUID, int],
) -> SkipReason | None:
    mentee_id, mentor_id = pair
    mentee, mentor = standing.people.get(mentee_id), standing.people.get(mentor_id)
    if mentee is None or program_id not in mentee.mentee_programs:
        return "mentee_not_in_program"
    if not mentee.active:
        return "mentee_deactivated"
    if mentor is None:
        return "not_in_program"
    codes = set(matching.blocked_by(mentee, mentor, program_id=program_id))
    for rule in _MENTOR_RULES:
        if rule in codes:
            return rule
    if pair in standing.open_requests:
        return "open_request_exists"
    if pair in standing.running:
        return "mentorship_exists"
    if one_mentor_at_a_time and mentee_id in standing.mentored:
        return "already_mentored"
    if places.get(mentor_id, 0) <= 0:
        return "full"
    return None


async def apply_run(session: AsyncSession, principal: Principal, run_id: uuid.UUID) -> ApplyReport:
    """Turn a succeeded run's assignments into what its program applies runs as, once. 404 for
    no such run (or another organisation's), 409 (`reason: "run_status"`) for a run that has
    not succeeded; a run applied already answers its report again."""
    run = await repository.lock_run(session, run_id)
    if run is None:
        raise NotFound("No such matching run.")
    if run.applied_at is not None and run.applied is not None:
        return ApplyReport.model_validate(run.applied)
    if run.status != SUCCEEDED:
        raise Conflict(
            f"The run is {run.status}; only a succeeded run's assignments can be applied.",
            reason="run_status",
            run_status=run.status,
        )
    policies = await profiles.request_policies(session, run.tenant_id, run.program_id)
    if policies is None:
        raise Conflict("The run's program was deleted; there is nothing to apply it to.")
    mode = cast(ApplyMode, policies.apply_runs_as)
    now = utcnow()
    pairs = await repository.assigned_pairs(session, run.id)
    standing = await _standing(session, run, pairs)
    kept, skipped = screen(
        pairs,
        standing,
        program_id=run.program_id,
        one_mentor_at_a_time=policies.one_mentor_at_a_time,
    )
    withdrawn = 0
    if mode == "mentorships":
        made, late = await _start_mentorships(session, run, kept)
        if policies.one_mentor_at_a_time and made:
            withdrawn = await proposals_commands.withdraw_waiting_requests(
                session,
                run.tenant_id,
                run.program_id,
                [pair.mentee_id for pair in made],
                reason=WITHDRAWN_REASON,
                now=now,
            )
    else:
        made, late = await _send_requests(session, run, kept, principal.user_id, now)
    order = {pair: position for position, pair in enumerate(pairs)}
    skipped = sorted([*skipped, *late], key=lambda item: order[item[0]])
    report = ApplyReport(
        run_id=run.id,
        program_id=run.program_id,
        mode=mode,
        assignments=len(pairs),
        created=len(made),
        pairs=sorted(made, key=lambda made_pair: order[(made_pair.mentee_id, made_pair.mentor_id)]),
        skipped=[
            SkippedPair(mentee_id=mentee_id, mentor_id=mentor_id, reason=reason)
            for (mentee_id, mentor_id), reason in skipped
        ],
        withdrawn_requests=withdrawn,
        applied_at=now,
        applied_by=principal.user_id,
    )
    run.applied_at = now
    run.applied = report.model_dump(mode="json")
    await session.flush()
    return report


async def _standing(session: AsyncSession, run: MatchingRun, pairs: Sequence[Pair]) -> Standing:
    """The program's people as they are now, and what already stands between them: a few
    statements whatever the number of pairs."""
    rows = await profiles.matching_rows(session, run.tenant_id, program_id=run.program_id)
    wanted = {person for pair in pairs for person in pair}
    people = {row.user_id: matching.from_row(row) for row in rows if row.user_id in wanted}
    mentee_ids = list({mentee_id for mentee_id, _ in pairs})
    return Standing(
        people=people,
        open_requests=await proposals.open_pairs(session, run.tenant_id, mentee_ids),
        running=await progress.running_pairs(session, run.tenant_id, mentee_ids),
        mentored=await progress.mentored_in_program(
            session, run.tenant_id, run.program_id, mentee_ids
        ),
    )


async def _send_requests(
    session: AsyncSession,
    run: MatchingRun,
    pairs: Sequence[Pair],
    actor_id: uuid.UUID,
    now: datetime,
) -> tuple[list[AppliedPair], list[tuple[Pair, SkipReason]]]:
    sent = await proposals_commands.send_assigned_requests(
        session, run.tenant_id, run.program_id, run.id, pairs, actor_id, now
    )
    made = [
        AppliedPair(
            mentee_id=request.mentee_id,
            mentor_id=request.mentor_id,
            request_id=request.request_id,
            mentorship_id=None,
        )
        for request in sent
    ]
    # A request the mentee sent since the pairs were read wins over the run's.
    done = {(request.mentee_id, request.mentor_id) for request in sent}
    return made, [(pair, "open_request_exists") for pair in pairs if pair not in done]


async def _start_mentorships(
    session: AsyncSession, run: MatchingRun, pairs: Sequence[Pair]
) -> tuple[list[AppliedPair], list[tuple[Pair, SkipReason]]]:
    wanted: dict[uuid.UUID, int] = {}
    for _, mentor_id in pairs:
        wanted[mentor_id] = wanted.get(mentor_id, 0) + 1
    taken = await profiles_commands.take_mentor_places(session, run.tenant_id, wanted)
    # An accept since the pairs were read may have taken a place: the best-scored pairs keep
    # theirs.
    placed: list[Pair] = []
    full: list[tuple[Pair, SkipReason]] = []
    for pair in pairs:
        if taken.get(pair[1], 0) > 0:
            taken[pair[1]] -= 1
            placed.append(pair)
        else:
            full.append((pair, "full"))
    started = await progress_commands.start_mentorships(
        session, run.tenant_id, run.program_id, placed, run_id=run.id
    )
    made = [
        AppliedPair(
            mentee_id=mentorship.mentee_id,
            mentor_id=mentorship.mentor_id,
            request_id=None,
            mentorship_id=mentorship.mentorship_id,
        )
        for mentorship in started
    ]
    return made, full

"""The mentor's brief on a received request: why this mentee fits, seen from the mentor's side
(matching's score, factors and reasons written to the mentor), the review's score when the
request was sent, and what the mentee wants.

Only the request's mentor gets one, and only while the request waits for an answer (pending,
or countered): it is there to decide with, and once decided the mentorship's own pages take
over. The mentee knows why they asked, and an admin looking on has matching's own explanation
(`GET /v1/matching/explain`). A page of received requests is
briefed in one batch per mentor (one statement for the people, whatever the page's size).
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching import queries as matching
from services.proposals.models import WAITING_STATUSES, MentorshipRequest
from services.proposals.schemas import BriefRead
from services.proposals.service import Viewed


def _goals(request: MentorshipRequest, brief: matching.MentorBrief) -> list[str]:
    """What the mentee asks this mentor for first, then the goals on their profile."""
    return list(dict.fromkeys([*request.goals, *brief.goals]))


def _brief_read(request: MentorshipRequest, brief: matching.MentorBrief) -> BriefRead:
    return BriefRead(
        score=brief.score,
        factors=brief.factors,
        reasons=brief.reasons,
        review_score=request.review_score,
        goals=_goals(request, brief),
        mentee_id=brief.mentee_id,
        mentee_display_name=brief.display_name,
        mentee_headline=brief.headline,
    )


async def briefs_for(session: AsyncSession, viewed: Sequence[Viewed]) -> dict[uuid.UUID, BriefRead]:
    """The brief of each request seen by its mentor, by request id; the others have none."""
    by_mentor: dict[tuple[uuid.UUID, uuid.UUID], list[MentorshipRequest]] = defaultdict(list)
    for view in viewed:
        if view.side == "mentor" and view.request.status in WAITING_STATUSES:
            request = view.request
            by_mentor[(request.tenant_id, request.mentor_id)].append(request)
    found: dict[uuid.UUID, BriefRead] = {}
    for (tenant_id, mentor_id), requests in by_mentor.items():
        briefs = await matching.briefs_for_mentor(
            session,
            tenant_id,
            mentor_id,
            [(request.mentee_id, request.program_id) for request in requests],
        )
        for request in requests:
            brief = briefs.get((request.mentee_id, request.program_id))
            if brief is not None:
                found[request.id] = _brief_read(request, brief)
    return found

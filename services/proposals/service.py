"""Use cases of the proposals service. Flushes, never commits."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import FieldError, NotFound, Unprocessable
from services.core.models import utcnow
from services.core.pagination import PageParams
from services.matching import queries as matching
from services.profiles import queries as profiles
from services.proposals import repository, review
from services.proposals.models import MentorshipRequest
from services.proposals.schemas import RequestBox, RequestDraft


async def list_own_requests(
    session: AsyncSession,
    principal: Principal,
    box: RequestBox,
    status: str | None,
    params: PageParams,
) -> tuple[list[MentorshipRequest], str | None]:
    """The requests the caller sent (as mentee) or received (as mentor)."""
    if box == "sent":
        return await repository.list_requests(
            session, params, mentee_id=principal.user_id, status=status
        )
    return await repository.list_requests(
        session, params, mentor_id=principal.user_id, status=status
    )


async def review_draft(
    session: AsyncSession,
    principal: Principal,
    draft: RequestDraft,
    *,
    now: datetime | None = None,
) -> review.Review:
    """The coaching report on an unsaved draft from the caller to a mentor of their
    organisation. Reads only: the mentor as matching sees them."""
    if draft.mentor_id == principal.user_id:
        raise Unprocessable(
            "You cannot ask yourself to be your mentor.",
            errors=[FieldError(loc=["body", "mentor_id"], msg="is you")],
        )
    rows = await profiles.matching_rows(session, principal.tenant_id, user_ids=[draft.mentor_id])
    mentor = matching.from_row(rows[0]) if rows else None
    # A deactivated account has left search; someone who is not a mentor cannot be asked.
    if mentor is None or not mentor.active or not (mentor.is_mentor or "mentor" in mentor.roles):
        raise NotFound("No such mentor.")
    availability = rows[0].details.get("availability") or {}
    return review.review(
        to_draft(draft),
        mentor,
        now=now or utcnow(),
        availability_public=bool(availability.get("public", True)),
    )


def to_draft(body: RequestDraft) -> review.Draft:
    """The plain draft the review reads."""
    return review.Draft(
        message=body.message,
        goals=body.goals,
        objectives=body.objectives,
        questions=body.questions,
        interval_days=body.cadence.interval_days if body.cadence else None,
        session_minutes=body.cadence.session_minutes if body.cadence else None,
        duration_months=body.duration_months,
        meeting_options=[(option.start, option.end) for option in body.meeting_options],
        contribution=body.contribution,
    )

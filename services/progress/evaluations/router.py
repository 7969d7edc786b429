"""HTTP routes of evaluations."""

import uuid

from fastapi import APIRouter, Response, status

from services.core.dependencies import CurrentPrincipal, Session
from services.core.errors import problem_responses
from services.core.etags import set_etag
from services.core.pagination import Page, PageQuery
from services.progress.evaluations import service
from services.progress.evaluations.schemas import EvaluationCreate, EvaluationRead

router = APIRouter(prefix="/v1", tags=["evaluations"], responses=problem_responses(401, 422))

# An evaluation is never changed once written: its ETag is the one version it has.
_ONLY_VERSION = 1


@router.get(
    "/mentorships/{mentorship_id}/evaluations",
    response_model=Page[EvaluationRead],
    responses=problem_responses(404),
)
async def list_evaluations(
    mentorship_id: uuid.UUID, principal: CurrentPrincipal, params: PageQuery, session: Session
) -> Page[EvaluationRead]:
    """Both sides' evaluations of the mentorship, newest first."""
    rows, next_cursor = await service.list_evaluations(session, principal, mentorship_id, params)
    return Page[EvaluationRead].of(rows, next_cursor)


@router.post(
    "/mentorships/{mentorship_id}/evaluations",
    status_code=status.HTTP_201_CREATED,
    response_model=EvaluationRead,
    responses=problem_responses(403, 404, 409),
)
async def submit_evaluation(
    mentorship_id: uuid.UUID,
    body: EvaluationCreate,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> EvaluationRead:
    """Your evaluation of the current evaluation period: the five ratings (1-5), progress per
    goal of this mentorship (0-100) and comments. Once per period and participant: a second is
    409 with `reason: "already_evaluated"`; admins who take no part are 403."""
    evaluation = await service.submit_evaluation(session, principal, mentorship_id, body)
    set_etag(response, _ONLY_VERSION)
    response.headers["Location"] = f"/v1/mentorships/{mentorship_id}/evaluations/{evaluation.id}"
    return EvaluationRead.model_validate(evaluation)


@router.get(
    "/mentorships/{mentorship_id}/evaluations/{evaluation_id}",
    response_model=EvaluationRead,
    responses=problem_responses(404),
)
async def get_evaluation(
    mentorship_id: uuid.UUID,
    evaluation_id: uuid.UUID,
    response: Response,
    principal: CurrentPrincipal,
    session: Session,
) -> EvaluationRead:
    """One evaluation of the mentorship."""
    evaluation = await service.get_evaluation(session, principal, mentorship_id, evaluation_id)
    set_etag(response, _ONLY_VERSION)
    return EvaluationRead.model_validate(evaluation)

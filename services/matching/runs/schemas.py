"""Request and response bodies of cohort matching runs."""

import uuid
from datetime import datetime
from typing import Annotated, Literal, cast

from pydantic import Field

from services.core.schemas import RequestBody, ResponseBody
from services.matching.runs.models import MatchingRun

RunMode = Literal["optimal", "greedy", "stable"]
RunStatus = Literal["queued", "running", "succeeded", "failed"]
Weight = Annotated[float, Field(ge=0, le=1)]


class RunWeights(RequestBody):
    """Weights of the five factors for this run; a factor left out keeps the program's weight.
    They are normalised to sum 1; all of them zero is refused."""

    expertise: Weight | None = None
    accessibility: Weight | None = None
    values: Weight | None = None
    communication: Weight | None = None
    adaptability: Weight | None = None


class RunCreate(RequestBody):
    program_id: uuid.UUID
    mode: RunMode = Field(
        description="`optimal`: the most mentees matched, then the highest total score, then "
        "the highest lowest score that keeps both; `greedy`: best pairs first; `stable`: no "
        "mentee and mentor who would both rather have each other."
    )
    weights: RunWeights | None = Field(
        default=None, description="Left out: the program's matching weights."
    )


class RunStats(ResponseBody):
    mentees: int = Field(description="Active mentees of the program the run considered.")
    mentors: int = Field(description="Mentors of the program with a mentor profile.")
    matched: int
    unmatched: int
    total_score: float
    mean_score: float = Field(description="Over the matched mentees; 0 when none is.")
    min_score: float = Field(description="The lowest score of an assignment; 0 when none.")
    gap: float | None = Field(
        default=None,
        description="`optimal` only: how far the total is below an upper bound of any "
        "assignment matching as many, relative to that bound.",
    )
    bound: float | None = Field(default=None, description="`optimal` only: that upper bound.")
    fairness_floor: float | None = Field(
        default=None,
        description="`optimal` only: the lowest score every assignment keeps (the highest at "
        "which as many mentees can still be matched).",
    )


class MatchingRunRead(ResponseBody):
    id: uuid.UUID
    program_id: uuid.UUID
    mode: RunMode
    status: RunStatus
    progress: float = Field(ge=0, le=1, description="0 to 1, written as the worker goes.")
    stats: RunStats | None = Field(description="Once the run has succeeded; null before.")
    weights: dict[str, float] = Field(description="The weights the run scores with.")
    error: str | None = Field(description="Why a failed run failed.")
    attempts: int = Field(description="How many times a worker started the run.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    applied_at: datetime | None = Field(
        description="When an admin applied the run's assignments; null until then."
    )

    @classmethod
    def of(cls, run: MatchingRun) -> "MatchingRunRead":
        """The figures are shown once the run has succeeded, not the partial ones before."""
        return cls(
            id=run.id,
            program_id=run.program_id,
            mode=cast(RunMode, run.mode),
            status=cast(RunStatus, run.status),
            progress=run.progress,
            stats=RunStats.model_validate(run.stats)
            if run.status == "succeeded" and run.stats
            else None,
            weights=run.weights,
            error=run.error,
            attempts=run.attempts,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            applied_at=run.applied_at,
        )


class AssignmentRead(ResponseBody):
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    score: float
    factors: dict[str, float]
    reasons: list[str]


ApplyMode = Literal["requests", "mentorships"]
SkipReason = Literal[
    "mentee_deactivated",
    "mentee_not_in_program",
    "deactivated",
    "not_a_mentor",
    "not_in_program",
    "not_accepting",
    "conflict_of_interest",
    "full",
    "open_request_exists",
    "mentorship_exists",
    "already_mentored",
]


class AppliedPair(ResponseBody):
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    request_id: uuid.UUID | None = Field(description="`requests` mode: the pending request.")
    mentorship_id: uuid.UUID | None = Field(description="`mentorships` mode: the mentorship.")


class SkippedPair(ResponseBody):
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    reason: SkipReason = Field(
        description="Why the pair was not applied: the mentee is deactivated or left the "
        "program; the mentor is deactivated, no longer a mentor, left the program, stopped "
        "accepting requests, or has no place left (`full`); a conflict of interest; the two "
        "have an open request or a running mentorship already; the mentee has a mentor in "
        "the program already and it allows one at a time (`already_mentored`)."
    )


class ApplyReport(ResponseBody):
    """What applying a run made; a repeated apply answers this report again."""

    run_id: uuid.UUID
    program_id: uuid.UUID
    mode: ApplyMode = Field(description="What the program applies runs as (`apply_runs_as`).")
    assignments: int = Field(description="The run's assignments, applied or skipped.")
    created: int = Field(description="Requests sent, or mentorships started.")
    pairs: list[AppliedPair] = Field(description="The pairs applied, best score first.")
    skipped: list[SkippedPair] = Field(description="The pairs not applied, best score first.")
    withdrawn_requests: int = Field(
        description="`mentorships` mode, in a program that allows one mentor at a time: the "
        "mentees' other waiting requests in the program, withdrawn by the platform."
    )
    applied_at: datetime
    applied_by: uuid.UUID

"""Response bodies of recommendations and explanations."""

import uuid

from pydantic import Field

from services.core.schemas import ResponseBody


class Factors(ResponseBody):
    """Each factor in [0, 1] (docs/domain.md, "Matching factors")."""

    expertise: float = Field(ge=0, le=1)
    accessibility: float = Field(ge=0, le=1)
    values: float = Field(ge=0, le=1)
    communication: float = Field(ge=0, le=1)
    adaptability: float = Field(ge=0, le=1)


class Recommendation(ResponseBody):
    mentor_id: uuid.UUID
    display_name: str
    headline: str
    score: float = Field(description="The factors weighted by the program's weights, in [0, 1].")
    factors: Factors
    reasons: list[str] = Field(description="Sentences a person can read, strongest factor first.")


class RecommendationList(ResponseBody):
    items: list[Recommendation] = Field(description="Eligible mentors, best first.")


class Explanation(Recommendation):
    mentee_id: uuid.UUID
    eligible: bool = Field(description="Whether this mentor may be recommended to this mentee.")
    blocked_by: list[str] = Field(
        description="Why not: same_person, deactivated, not_a_mentor, not_in_program, "
        "not_accepting, full, no_shared_language, conflict_of_interest, "
        "existing_request_or_mentorship. Empty when eligible."
    )

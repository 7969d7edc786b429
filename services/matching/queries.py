"""What other services may use from matching: the matching view of a person and the
availability arithmetic matching itself uses, so a request review reads a mentor's week exactly
as recommendations do, and the eligibility rules, so a request is refused for the reasons a
recommendation would leave the mentor out."""

from services.matching.availability import (
    covers,
    overlap_hours,
    person_zone,
    timezone_distance_hours,
)
from services.matching.features import MatchProfile, Window, from_row
from services.matching.scoring import blocked_by

__all__ = [
    "MatchProfile",
    "Window",
    "blocked_by",
    "covers",
    "from_row",
    "overlap_hours",
    "person_zone",
    "timezone_distance_hours",
]

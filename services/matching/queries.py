"""What other services may use from matching: the matching view of a person and the
availability arithmetic matching itself uses, so a request review reads a mentor's week exactly
as recommendations do."""

from services.matching.availability import (
    covers,
    overlap_hours,
    person_zone,
    timezone_distance_hours,
)
from services.matching.features import MatchProfile, Window, from_row

__all__ = [
    "MatchProfile",
    "Window",
    "covers",
    "from_row",
    "overlap_hours",
    "person_zone",
    "timezone_distance_hours",
]

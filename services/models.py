"""Imports every service's tables, so the metadata (and Alembic) sees the whole database."""

from services.core.idempotency import IdempotencyKey
from services.core.outbox import OutboxEvent
from services.matching.models import MatchingRun
from services.profiles.models import Program, Tenant, User
from services.progress.models import Mentorship
from services.proposals.models import MentorshipRequest

__all__ = [
    "IdempotencyKey",
    "MatchingRun",
    "Mentorship",
    "MentorshipRequest",
    "OutboxEvent",
    "Program",
    "Tenant",
    "User",
]

"""Imports every service's tables, so the metadata (and Alembic) sees the whole database."""

from services.core.idempotency import IdempotencyKey
from services.core.outbox import OutboxEvent
from services.matching.models import MatchingRun
from services.profiles.models import (
    Profile,
    Program,
    ProgramParticipant,
    Tenant,
    TenantSkill,
    User,
)
from services.profiles.provisioning_models import Import, ScimGroup, ScimGroupMember, ScimToken
from services.progress.models import Mentorship
from services.proposals.models import MentorshipRequest

__all__ = [
    "IdempotencyKey",
    "Import",
    "MatchingRun",
    "Mentorship",
    "MentorshipRequest",
    "OutboxEvent",
    "Profile",
    "Program",
    "ProgramParticipant",
    "ScimGroup",
    "ScimGroupMember",
    "ScimToken",
    "Tenant",
    "TenantSkill",
    "User",
]

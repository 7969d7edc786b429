"""Imports every service's tables, so the metadata (and Alembic) sees the whole database."""

from services.core.idempotency import IdempotencyKey
from services.core.outbox import Delivery, OutboxEvent
from services.matching.runs.models import MatchingAssignment, MatchingRun
from services.profiles.imports.models import Import
from services.profiles.profiles.models import Profile
from services.profiles.programs.models import Program, ProgramParticipant
from services.profiles.scim.models import ScimGroup, ScimGroupMember
from services.profiles.scim_tokens.models import ScimToken
from services.profiles.skills.models import TenantSkill
from services.profiles.tenants.models import Tenant
from services.profiles.users.models import User
from services.progress.assessments.models import MentorshipHealth
from services.progress.checkins.models import CheckIn
from services.progress.evaluations.models import Evaluation, EvaluationRequest
from services.progress.goals.models import Goal, GoalRevision
from services.progress.meetings.models import Meeting
from services.progress.mentorships.models import Mentorship
from services.progress.milestones.models import Milestone
from services.proposals.models import MentorshipRequest

__all__ = [
    "CheckIn",
    "Delivery",
    "Evaluation",
    "EvaluationRequest",
    "Goal",
    "GoalRevision",
    "IdempotencyKey",
    "Import",
    "MatchingAssignment",
    "MatchingRun",
    "Meeting",
    "Mentorship",
    "MentorshipHealth",
    "MentorshipRequest",
    "Milestone",
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

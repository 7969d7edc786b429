"""Use cases of profiles: read one's own or someone's public profile, replace or change one's
own. Flushes, never commits."""

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.errors import FieldError, NotFound, Unauthorized, Unprocessable
from services.core.etags import expect_version, stale
from services.core.models import utcnow
from services.core.outbox import emit
from services.profiles.profiles import repository
from services.profiles.profiles.models import Profile
from services.profiles.profiles.rules import Derived, completeness, derive, response_stats
from services.profiles.profiles.schemas import (
    Completeness,
    MentorRead,
    ProfileFields,
    ProfilePatch,
    ProfileRead,
    PublicProfile,
    ResponseStats,
)
from services.profiles.skills.repository import remember_tenant_skills
from services.profiles.users.models import User

# The version of a profile not written yet; PUT or PATCH with its ETag creates the profile.
UNWRITTEN_VERSION = 0


def fields_of(profile: Profile | None) -> ProfileFields:
    if profile is None:
        return ProfileFields()
    return ProfileFields.model_validate(
        {
            **profile.details,
            "headline": profile.headline,
            "bio": profile.bio,
            "timezone": profile.timezone,
            "years_experience": profile.years_experience,
            "seniority": profile.seniority,
        }
    )


def _mentor_read(profile: Profile | None, fields: ProfileFields) -> MentorRead | None:
    if fields.mentor is None:
        return None
    active = profile.active_mentees if profile is not None else 0
    return MentorRead(**fields.mentor.model_dump(), active_mentees=active)


def response_stats_of(profile: Profile | None) -> ResponseStats | None:
    """A mentor's measured responsiveness, kept by the proposals service; None for someone who
    does not mentor or has answered too few requests for the figures to mean something."""
    if profile is None or not profile.is_mentor:
        return None
    return response_stats(
        profile.response_median_hours, profile.acceptance_rate, profile.responses_count
    )


def to_read(user: User, profile: Profile | None) -> ProfileRead:
    fields = fields_of(profile)
    score, missing = completeness(fields, user.roles)
    return ProfileRead(
        user_id=user.id,
        display_name=user.display_name,
        **fields.model_dump(exclude={"mentor"}),
        mentor=_mentor_read(profile, fields),
        response_stats=response_stats_of(profile),
        completeness=Completeness(score=score, missing=missing),
        updated_at=profile.updated_at if profile is not None else user.updated_at,
    )


def to_public(user: User, profile: Profile | None) -> PublicProfile:
    fields = fields_of(profile)
    availability = fields.availability
    if not availability.public:
        availability = availability.model_copy(update={"weekly": []})
    return PublicProfile(
        user_id=user.id,
        display_name=user.display_name,
        # Declared conflicts are private: only their author reads them.
        **fields.model_dump(exclude={"mentor", "availability", "conflicts_of_interest"}),
        availability=availability,
        mentor=_mentor_read(profile, fields),
        response_stats=response_stats_of(profile),
    )


def version_of(profile: Profile | None) -> int:
    return profile.version if profile is not None else UNWRITTEN_VERSION


async def load(session: AsyncSession, user_id: uuid.UUID) -> tuple[User, Profile | None]:
    """The user (active, in the session's tenant) and their profile, if written."""
    found = await repository.user_with_profile(session, user_id)
    if found is None:
        raise NotFound("No such person.")
    return found


async def load_own(session: AsyncSession, principal: Principal) -> tuple[User, Profile | None]:
    try:
        return await load(session, principal.user_id)
    except NotFound as exc:
        raise Unauthorized("This account does not exist or is deactivated.") from exc


async def _load_own_for_write(
    session: AsyncSession, principal: Principal, expected_version: int | None
) -> tuple[User, Profile | None]:
    user, profile = await load_own(session, principal)
    if expected_version is None and profile is not None:
        # No version expected: lock the row, so the versioned UPDATE sees the version read.
        # With one, the UPDATE's own check decides (see services.core.models.Versioned).
        profile = await repository.locked_profile(session, profile.id)
    return user, profile


async def replace(
    session: AsyncSession, principal: Principal, body: ProfileFields, expected_version: int | None
) -> tuple[User, Profile]:
    return await _save(session, principal, expected_version, lambda _current: body)


async def change(
    session: AsyncSession, principal: Principal, patch: ProfilePatch, expected_version: int | None
) -> tuple[User, Profile]:
    def merged(current: Profile | None) -> ProfileFields:
        fields = {**fields_of(current).model_dump(), **patch.model_dump(exclude_unset=True)}
        for name in ("headline", "bio"):
            if fields[name] is None:
                fields[name] = ""
        for name in (
            "languages",
            "industries",
            "career_history",
            "achievements",
            "values",
            "skills",
            "conflicts_of_interest",
        ):
            if fields[name] is None:
                fields[name] = []
        for name in ("communication", "availability"):
            if fields[name] is None:
                fields[name] = {}
        return ProfileFields.model_validate(fields)

    return await _save(session, principal, expected_version, merged)


async def _save(
    session: AsyncSession,
    principal: Principal,
    expected_version: int | None,
    body_for: Callable[[Profile | None], ProfileFields],
) -> tuple[User, Profile]:
    """Write the profile `body_for(current profile)`, if it is still at `expected_version`."""
    user, profile = await _load_own_for_write(session, principal, expected_version)
    expect_version(version_of(profile), expected_version)
    written = await _write(session, principal, user, profile, body_for(profile))
    if written is None:
        # Another first write created the profile since we read it was not there.
        if expected_version is not None:
            raise stale()
        user, profile = await _load_own_for_write(session, principal, None)
        written = await _write(session, principal, user, profile, body_for(profile))
        assert written is not None  # the profile existed, so this was an update
    return user, written


async def _write(
    session: AsyncSession,
    principal: Principal,
    user: User,
    profile: Profile | None,
    body: ProfileFields,
) -> Profile | None:
    """Create or update the profile; None when creating found that another write created it."""
    await _check_conflicts(session, user, body.conflicts_of_interest)
    derived = derive(body, user.roles)
    body = body.model_copy(update={"skills": derived.skills})
    before = fields_of(profile).model_dump(mode="json") if profile is not None else None
    values = profile_columns(body, derived)
    if profile is None:
        profile = await repository.create_profile(session, principal.tenant_id, user.id, values)
        if profile is None:
            return None
    else:
        for name, value in values.items():
            setattr(profile, name, value)
        profile.updated_at = utcnow()  # an UPDATE, and a new version, even if nothing changed
    await remember_tenant_skills(session, principal.tenant_id, derived.unknown_skills)
    await session.flush()
    after = body.model_dump(mode="json")
    changed = sorted(k for k in after if before is None or before.get(k) != after[k])
    emit(
        session,
        "profile.updated",
        {"user_id": str(user.id), "fields": changed, "version": profile.version},
        tenant_id=principal.tenant_id,
    )
    return profile


async def _check_conflicts(session: AsyncSession, user: User, conflicts: list[uuid.UUID]) -> None:
    """Declared conflicts name other users of the organisation (another tenant's ids name
    nobody here)."""
    if user.id in conflicts:
        raise Unprocessable(
            "You cannot declare a conflict of interest with yourself.",
            errors=[FieldError(loc=["body", "conflicts_of_interest"], msg="names yourself")],
        )
    unknown = set(conflicts) - await repository.existing_user_ids(session, conflicts)
    if unknown:
        raise Unprocessable(
            "A declared conflict of interest is not a user of this organisation.",
            errors=[
                FieldError(loc=["body", "conflicts_of_interest"], msg=f"no such user: {who}")
                for who in sorted(map(str, unknown))
            ],
        )


def profile_columns(body: ProfileFields, derived: Derived) -> dict[str, Any]:
    """The profile row's columns for a body whose skills are already canonical (shared by the
    API and bulk imports)."""
    details: dict[str, Any] = body.model_dump(
        mode="json", exclude={"headline", "bio", "timezone", "years_experience", "seniority"}
    )
    return {
        "headline": body.headline,
        "bio": body.bio,
        "timezone": body.timezone,
        "years_experience": body.years_experience,
        "seniority": body.seniority,
        "details": details,
        "is_mentor": body.mentor is not None,
        "accepting_requests": body.mentor.accepting_requests if body.mentor else False,
        "mentor_capacity": body.mentor.capacity if body.mentor else 0,
        "openness": body.mentor.openness if body.mentor else None,
        "expertise_keys": derived.expertise_keys,
        "learning_keys": derived.learning_keys,
        "industry_keys": derived.industry_keys,
        "language_keys": derived.language_keys,
        "value_keys": derived.value_keys,
        "search_text": derived.search_text,
        "completeness": derived.completeness,
    }

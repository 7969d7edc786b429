"""What SCIM's attributes mean for an account (pure: no I/O): the sign-in email a user's
`emails` and `userName` give, and what a group grants, decided by its name alone.

The sign-in email: the first address in `emails` that is an email, the primary ones first
(an identity provider marks the address its users sign in with as primary), else `userName`
when it is an email, else none (the account keeps the one it has).

Groups:

- "Mentors", "Mentees", "Admins" (any case, singular or plural): that role.
- "<program name> mentors" / "<program name> mentees": a place in that program with that
  role, and the role itself, since only a mentor can take a mentor's place.
- Anything else: nothing; the group and its members are kept for the identity provider.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.profiles.users.service import EMAIL, MAX_EMAIL_LENGTH

ROLE_WORDS = {
    "mentor": "mentor",
    "mentors": "mentor",
    "mentee": "mentee",
    "mentees": "mentee",
    "admin": "admin",
    "admins": "admin",
}
PROGRAM_ROLES = frozenset({"mentor", "mentee"})


@dataclass(frozen=True, slots=True)
class GroupEffect:
    role: str | None = None
    program_id: uuid.UUID | None = None


NO_EFFECT = GroupEffect()


def normalise(name: str) -> str:
    return " ".join(name.casefold().split())


def group_effect(name: str, programs: Iterable[tuple[uuid.UUID, str]]) -> GroupEffect:
    """`programs` are the tenant's (id, name). A program name shared by two programs names
    neither: enrolling people in the wrong program is worse than enrolling nobody."""
    words = normalise(name).split(" ")
    role = ROLE_WORDS.get(words[-1]) if words else None
    if role is None:
        return NO_EFFECT
    if len(words) == 1:
        return GroupEffect(role=role)
    if role not in PROGRAM_ROLES:
        return NO_EFFECT
    wanted = " ".join(words[:-1])
    matches = [program_id for program_id, program in programs if normalise(program) == wanted]
    if len(matches) != 1:
        return NO_EFFECT
    return GroupEffect(role=role, program_id=matches[0])


@dataclass(frozen=True, slots=True)
class Grants:
    """What a user holds through their groups."""

    roles: frozenset[str] = frozenset()
    places: frozenset[tuple[uuid.UUID, str]] = frozenset()


NO_GRANTS = Grants()


def roles_after(current: Iterable[str], before: Grants, after: Grants) -> list[str]:
    """The user's roles once group grants went from `before` to `after`.

    Every role a group grants is held (again, if someone took it away by hand). A role a
    group granted is removed when no group grants it any more, whether or not it was also
    given by hand: nothing records where a role came from. Roles no group ever granted stay.
    An account keeps at least one role: mentee, the baseline.
    """
    roles = (set(current) - (before.roles - after.roles)) | after.roles
    return sorted(roles or {"mentee"})


def _as_email(value: str | None) -> str | None:
    email = (value or "").strip().lower()
    return email if EMAIL.match(email) and len(email) <= MAX_EMAIL_LENGTH else None


def sign_in_email(user_name: str, emails: Sequence[tuple[str | None, bool]]) -> str | None:
    """The sign-in email, lower case, from `emails` as (value, primary) pairs and userName."""
    by_primary = sorted(emails, key=lambda entry: not entry[1])  # stable: sent order otherwise
    for value, _primary in by_primary:
        if (email := _as_email(value)) is not None:
            return email
    return _as_email(user_name)

"""What a group grants, decided by its name alone (pure: no I/O).

- "Mentors", "Mentees", "Admins" (any case, singular or plural): that role.
- "<program name> mentors" / "<program name> mentees": a place in that program with that
  role, and the role itself, since only a mentor can take a mentor's place.
- Anything else: nothing; the group and its members are kept for the identity provider.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

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

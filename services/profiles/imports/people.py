"""One row of an import, checked with the same rules as the API and turned into the columns the
tables hold. Pure: no I/O, so the job can run it off the event loop while the database works.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import Field, StringConstraints, ValidationError, field_validator

from services.core.auth import Role
from services.core.errors import ProblemError
from services.core.schemas import RequestBody
from services.profiles.imports.formats import RowError, RowParser
from services.profiles.profiles import rules as profile_rules
from services.profiles.profiles import service as profile_service
from services.profiles.profiles.schemas import ProfileFields
from services.profiles.users.service import display_name_from, normalise_email

# A row with more problems than this is reported with its first ones: enough to fix it.
MAX_ERRORS_PER_ROW: Final = 20
# Roles a new person gets when the file names none (as when they first sign in).
DEFAULT_ROLES: Final = ("mentee",)
# Pydantic's prefixes say which kind of check failed; the person only needs what is wrong.
_MESSAGE_PREFIXES: Final = ("Value error, ", "Assertion failed, ")

DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PersonRow(RequestBody):
    """One line of a JSON Lines file (a CSV row is read into the same shape)."""

    email: str = Field(max_length=320)
    display_name: DisplayName | None = None
    roles: list[Role] = Field(default_factory=list, max_length=3)
    profile: ProfileFields | None = None

    @field_validator("roles", mode="before")
    @classmethod
    def lower_case(cls, roles: Any) -> Any:
        # HR exports capitalise ("Mentor"); the role is the same.
        if isinstance(roles, list):
            return [r.strip().lower() if isinstance(r, str) else r for r in roles]
        return roles


@dataclass(frozen=True, slots=True)
class ProfileWrite:
    """A profile's columns as `profile_service.profile_columns` makes them, for given roles."""

    roles: tuple[str, ...]
    columns: dict[str, Any]
    unknown_skills: dict[str, str]


@dataclass(slots=True)
class Person:
    """A checked row. Plain data only (no pydantic models), so it crosses from a checking
    process to the writing one cheaply: unpickling a profile model costs ten times more."""

    row: int
    email: str
    display_name: str | None
    roles: tuple[str, ...] | None  # None: the file does not say, so an existing person keeps theirs
    write: ProfileWrite | None  # None: the row has no profile, the current one stays

    def new_roles(self) -> tuple[str, ...]:
        return self.roles or DEFAULT_ROLES

    def new_display_name(self) -> str:
        return self.display_name or display_name_from(self.email)

    def profile_write(self, roles: Sequence[str]) -> ProfileWrite | None:
        """The columns for these roles: completeness depends on them. Worked out for the roles
        the row asks for; another set (a known person keeping theirs) costs a second pass."""
        wanted = tuple(sorted(roles))
        if self.write is None or self.write.roles == wanted:
            return self.write
        # The stored body is the checked, canonical one, so checking it again cannot fail.
        fields = ProfileFields.model_validate(body_view(self.write.columns))
        self.write = profile_write(fields, wanted)
        return self.write


Outcome = Person | list[RowError]


def profile_write(fields: ProfileFields, roles: tuple[str, ...]) -> ProfileWrite:
    derived = profile_rules.derive(fields, list(roles))
    body = fields.model_copy(update={"skills": derived.skills})
    return ProfileWrite(
        roles, profile_service.profile_columns(body, derived), derived.unknown_skills
    )


def _message(text: str) -> str:
    for prefix in _MESSAGE_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _email_problem(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None  # pydantic reports a missing or non-text email
    try:
        normalise_email(raw)
    except ProblemError:
        return "not an email address"
    return None


def check(parser: RowParser, row: int, raw: Any) -> Outcome:
    """The person a row stands for, or every problem found in it (at most 20)."""
    record = parser.parse(row, raw)
    if isinstance(record, list):
        return record
    errors: list[RowError] = []
    email_problem = _email_problem(record.get("email"))
    if email_problem is not None:
        field_name, _ = parser.describe(["email"])
        errors.append(RowError(row, field_name, email_problem))
    parsed: PersonRow | None = None
    try:
        parsed = PersonRow.model_validate(record, strict=False if parser.text_cells else None)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False, include_context=False):
            field_name, prefix = parser.describe(error["loc"])
            errors.append(RowError(row, field_name, prefix + _message(error["msg"])))
    if errors or parsed is None:
        return errors[:MAX_ERRORS_PER_ROW]
    roles = tuple(sorted(set(parsed.roles))) or None
    # Most rows end with the roles they name (or a newcomer's); the columns are worked out for
    # those here, before the batch reaches the database.
    write = (
        None
        if parsed.profile is None
        else profile_write(parsed.profile, tuple(sorted(roles or DEFAULT_ROLES)))
    )
    return Person(row, normalise_email(parsed.email), parsed.display_name, roles, write)


def check_all(parser: RowParser, rows: Iterable[tuple[int, Any]]) -> list[Outcome]:
    return [check(parser, row, raw) for row, raw in rows]


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """The profile body's top-level fields that differ between two rows' columns (all of them
    for a profile written for the first time), as `profile.updated` names them."""
    new = body_view(after)
    if before is None:
        return sorted(new)
    old = body_view(before)
    return sorted(key for key in new if old.get(key) != new[key])


_SCALAR_FIELDS: Final = ("headline", "bio", "timezone", "years_experience", "seniority")


def body_view(columns: dict[str, Any]) -> dict[str, Any]:
    """The profile body (as the API shows it) a row's columns hold."""
    return {**columns["details"], **{name: columns[name] for name in _SCALAR_FIELDS}}

"""`mentorship demo`: a demo organisation a newcomer can try matching on, right after `make run`.

It seeds the tenant `demo` with generated mentors and mentees (`deploy.population`, from a seed,
no network) through the bulk import a file of people goes through, enrols them all in a program
"Demo cohort", makes one mentor the demo mentee's manager (a conflict of interest matching must
respect), and prints tokens for a mentee, a mentor and the admin with curl commands to try.

Running it again is safe and converges: the same seed gives the same people (emails), so the
import updates them back to their generated profiles, places already held are kept, and the
tokens are new. People created by an earlier run with larger counts, or by hand, stay;
`make reset` starts from an empty database.
"""

import json
import shlex
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from deploy.population import EMAIL_DOMAIN, TODAY, Person, people
from services.core.auth import Principal, issue_token
from services.core.db import database
from services.core.errors import NotFound, ProblemError
from services.core.queue import queue
from services.core.settings import get_settings
from services.core.tenancy import bind_tenant
from services.core.user_state import user_states
from services.profiles.imports import service as imports
from services.profiles.imports.tasks import run_import
from services.profiles.programs import service as programs
from services.profiles.programs.schemas import ProgramCreate
from services.profiles.tenants import service as tenants
from services.profiles.users import service as users
from services.profiles.users.schemas import UserUpdate

DEMO_SLUG: Final = "demo"
DEMO_NAME: Final = "Demo Corp"
PROGRAM_NAME: Final = "Demo cohort"
PROGRAM_DESCRIPTION: Final = (
    "Generated people from `mentorship demo`: try recommendations, explanations and cohort runs."
)
# A demo is tried over an afternoon; an hour (the default) would expire mid-way.
TOKEN_TTL_SECONDS: Final = 24 * 3600
# The import takes files up to 128 MiB; a person is about 2.5 KB.
PEOPLE_PER_IMPORT: Final = 20_000


class DemoError(Exception):
    pass


@dataclass(frozen=True)
class Seat:
    """Someone the printed commands act as or about."""

    user_id: uuid.UUID
    email: str
    display_name: str
    roles: tuple[str, ...]
    token: str
    about: str  # one line: who they are


@dataclass(frozen=True)
class Demo:
    tenant_id: uuid.UUID
    slug: str
    created: bool  # False: the tenant was there, from an earlier run
    program_id: uuid.UUID
    mentors: int
    mentees: int
    admin: Seat
    mentee: Seat
    mentor: Seat  # a likely good match for the mentee (same field, a shared language)
    manager: Seat  # the mentee's manager, a mentor of the cohort too: never matched with them
    base_url: str

    def instructions(self) -> str:
        """What to paste into a shell, with a word on each step."""
        auth = '-H "Authorization: Bearer $%s"'
        admin, mentee, mentor = auth % "ADMIN_TOKEN", auth % "MENTEE_TOKEN", auth % "MENTOR_TOKEN"
        base, program = self.base_url, self.program_id
        run_body = shlex.quote(json.dumps({"program_id": str(program), "mode": "optimal"}))
        state = "created" if self.created else "updated (it existed: same people, new tokens)"
        return "\n".join(
            [
                f"# Tenant {self.slug!r} {state}: {self.mentors} mentors and {self.mentees} "
                f"mentees in the program {PROGRAM_NAME!r} ({program}).",
                "",
                f"# {self.admin.about}",
                f"export ADMIN_TOKEN={self.admin.token}",
                f"# {self.mentee.about}",
                f"export MENTEE_TOKEN={self.mentee.token}",
                f"# {self.mentor.about}",
                f"export MENTOR_TOKEN={self.mentor.token}",
                "",
                "# The mentee's best mentors in the cohort, each factor scored, with reasons:",
                f'curl -s "{base}/v1/matching/recommendations?program_id={program}&limit=5" '
                f"{mentee}",
                f"# Why {self.mentor.display_name} would suit {self.mentee.display_name}, "
                "factor by factor:",
                f'curl -s "{base}/v1/matching/explain?mentee_id={self.mentee.user_id}'
                f'&mentor_id={self.mentor.user_id}" {mentee}',
                f"# {self.manager.display_name} is the mentee's manager: never recommended to "
                "them, and explain says why (blocked_by):",
                f'curl -s "{base}/v1/matching/explain?mentee_id={self.mentee.user_id}'
                f'&mentor_id={self.manager.user_id}" {admin}',
                "# The mentor sees their own account (GET /v1/profiles/me for the profile):",
                f"curl -s {base}/v1/users/me {mentor}",
                "",
                "# A cohort run over the whole program (202 and its id), its status and "
                "progress, then the assignments:",
                f"RUN_ID=$(curl -s -X POST {base}/v1/matching/runs {admin} "
                f"-H 'Content-Type: application/json' -d {run_body} "
                "| python3 -c 'import json, sys; print(json.load(sys.stdin)[\"id\"])')",
                f"curl -s {base}/v1/matching/runs/$RUN_ID {admin}",
                f'curl -s "{base}/v1/matching/runs/$RUN_ID/assignments?limit=10" {admin}',
                f"curl -s {base}/v1/matching/runs/$RUN_ID/assignments "
                f"-H 'Accept: text/csv' {admin}",
            ]
        )


def admin_email(slug: str) -> str:
    return f"admin@{EMAIL_DOMAIN}" if slug == DEMO_SLUG else f"admin@{slug}.{EMAIL_DOMAIN}"


async def run(mentors: int = 200, mentees: int = 300, seed: int = 7) -> Demo:
    """`seed_demo` for the command line: the process's connections are closed afterwards."""
    try:
        return await seed_demo(mentors, mentees, seed)
    except ProblemError as error:
        raise DemoError(error.detail or error.title) from error
    finally:
        await queue.close()
        await user_states.close()
        await database.dispose()


async def seed_demo(
    mentors: int = 200, mentees: int = 300, seed: int = 7, *, slug: str = DEMO_SLUG
) -> Demo:
    """Create (or bring back) the demo tenant with `mentors` and `mentees` generated people."""
    if mentors < 2 or mentees < 1:
        raise DemoError("a demo needs at least 2 mentors and 1 mentee")
    generated = people(mentors, mentees, seed)
    tenant_id, created, admin = await _tenant(slug)
    await import_people(tenant_id, admin, generated)
    mentee = generated[mentors]
    mentor, manager = _mentors_for(mentee, generated[:mentors])
    async with database.transaction(tenant_id=tenant_id) as session:
        ids = await users.user_ids_by_email(session, [p.email for p in generated])
        principal = Principal(tenant_id, admin, admin_email(slug), frozenset({"admin"}))
        program_id = await _program(session, principal)
        places = [(ids[person.email], person.roles[0]) for person in generated]
        await programs.enrol_many(session, tenant_id, program_id, places)
        await users.update_user(
            session, principal, ids[mentee.email], UserUpdate(manager_id=ids[manager.email])
        )
    families = f"{mentee.family} family"

    def seat(person: Person, about: str) -> Seat:
        user_id = ids[person.email]
        return Seat(
            user_id,
            person.email,
            person.display_name,
            person.roles,
            _token(tenant_id, user_id, person.email, person.roles),
            about,
        )

    wants = ", ".join(s["name"] for s in mentee.profile["skills"] if s["kind"] == "wants_to_learn")
    return Demo(
        tenant_id=tenant_id,
        slug=slug,
        created=created,
        program_id=program_id,
        mentors=mentors,
        mentees=mentees,
        admin=Seat(
            admin,
            admin_email(slug),
            "Admin",
            ("admin",),
            _token(tenant_id, admin, admin_email(slug), ("admin",)),
            f"The admin, {admin_email(slug)}: runs cohorts, sees everyone.",
        ),
        mentee=seat(
            mentee,
            f"A mentee, {mentee.display_name} ({mentee.profile['headline']}, "
            f"{mentee.profile['timezone']}), wants to learn {wants}.",
        ),
        mentor=seat(
            mentor,
            f"A mentor, {mentor.display_name} ({mentor.profile['headline']}, "
            f"{mentor.profile['timezone']}), in the mentee's {families}.",
        ),
        manager=seat(manager, f"{manager.display_name}, the mentee's manager."),
        base_url=get_settings().public_base_url.rstrip("/")
        or f"http://localhost:{get_settings().port}",
    )


def _mentors_for(mentee: Person, mentors: list[Person]) -> tuple[Person, Person]:
    """A mentor likely to suit the mentee (same family, a shared language) and another one of
    the family to be their manager; any mentors where the family has too few."""
    languages = set(mentee.profile["languages"])
    same = [m for m in mentors if m.family == mentee.family]
    suited = [m for m in same if languages & set(m.profile["languages"])] or same or mentors
    # Nearest in time first: their working hours overlap most.
    mentor = min(suited, key=lambda m: abs(_utc_offset(m) - _utc_offset(mentee)))
    others = [m for m in same if m is not mentor] or [m for m in mentors if m is not mentor]
    return mentor, others[0]


def _utc_offset(person: Person) -> float:
    moment = datetime.combine(TODAY, time(12), ZoneInfo(person.profile["timezone"]))
    offset = moment.utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def _token(tenant_id: uuid.UUID, user_id: uuid.UUID, email: str, roles: tuple[str, ...]) -> str:
    return issue_token(
        tenant_id=tenant_id,
        user_id=user_id,
        email=email,
        roles=list(roles),
        ttl_seconds=TOKEN_TTL_SECONDS,
    )


async def _tenant(slug: str) -> tuple[uuid.UUID, bool, uuid.UUID]:
    """The tenant's id, whether it was created now, and its admin's id."""
    async with database.transaction() as session:
        try:
            tenant = await tenants.tenant_by_slug(session, slug)
            created = False
        except NotFound:
            tenant = await tenants.create_tenant(
                session, slug=slug, name=DEMO_NAME, admin_email=admin_email(slug)
            )
            created = True
        else:
            bind_tenant(session, tenant.id)  # the command's boundary: the tenant it was given
        admin = await users.ensure_user(session, tenant, admin_email(slug), ["admin"])
        return tenant.id, created, admin.id


async def import_people(tenant_id: uuid.UUID, admin_id: uuid.UUID, persons: list[Person]) -> None:
    """The people as bulk imports (of PEOPLE_PER_IMPORT each), run here as `mentorship import`
    runs them, recorded as created by `admin_id`."""
    for start in range(0, len(persons), PEOPLE_PER_IMPORT):
        await _import(tenant_id, admin_id, persons[start : start + PEOPLE_PER_IMPORT])


async def _import(tenant_id: uuid.UUID, admin_id: uuid.UUID, batch: list[Person]) -> None:
    source = "\n".join(json.dumps(person.import_line()) for person in batch).encode()
    async with database.transaction(tenant_id=tenant_id) as session:
        record = await imports.create_import(
            session,
            tenant_id=tenant_id,
            created_by=admin_id,
            source=source,
            content_type="application/x-ndjson",
            enqueue=False,
        )
        import_id = record.id
    del source
    await run_import(None, str(import_id))
    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        done = await imports.get_import(session, import_id)
        if done.status != imports.SUCCEEDED or done.done != done.created + done.updated:
            problems = "; ".join(str(error) for error in (done.errors or [])[:3])
            raise DemoError(f"the demo import {import_id} did not go through: {problems}")


async def _program(session: AsyncSession, principal: Principal) -> uuid.UUID:
    existing = await programs.program_named(session, PROGRAM_NAME)
    if existing is not None:
        return existing.id
    created = await programs.create_program(
        session,
        principal,
        ProgramCreate(name=PROGRAM_NAME, description=PROGRAM_DESCRIPTION, self_enrol=False),
    )
    return created.id

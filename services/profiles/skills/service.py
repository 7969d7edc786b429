"""Skill autocomplete: the shared vocabulary first, then the tenant's own skills."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.profiles.skills import repository, vocabulary
from services.profiles.skills.schemas import SkillSuggestion


async def suggest(session: AsyncSession, q: str, limit: int) -> list[SkillSuggestion]:
    found = [
        SkillSuggestion(
            name=s.name, category=s.category, aliases=list(s.aliases), related=list(s.related)
        )
        for s in vocabulary.suggest(q, limit)
    ]
    if len(found) < limit and q.strip():
        known = {s.name.lower() for s in found}
        local = await repository.tenant_skill_names(session, vocabulary.normalise_key(q), limit)
        for name in local:
            if name.lower() not in known and len(found) < limit:
                found.append(
                    SkillSuggestion(name=name, category="organisation", aliases=[], related=[])
                )
    return found

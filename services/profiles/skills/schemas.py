"""Response bodies of skill autocomplete."""

from pydantic import BaseModel


class SkillSuggestion(BaseModel):
    name: str
    category: str
    aliases: list[str]
    related: list[str]

"""The seeded skill vocabulary: canonical names, aliases and autocomplete for mentor profiles.

Pure: the only I/O is reading the packaged `skill_vocabulary.json` once; the parsed vocabulary
and its lookup indexes are built on first use and cached for the life of the process.

Skills a tenant types that are not in the vocabulary are kept as tenant-local display names
(`clean_display_name`); `canonical` is how a caller recognises a vocabulary skill first.
"""

import json
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Final

VOCABULARY_FILE: Final = "skill_vocabulary.json"
MAX_DISPLAY_LENGTH: Final = 80
MAX_SUGGESTIONS: Final = 50
# Longer text cannot be the start of any vocabulary name or alias worth suggesting.
_MAX_PREFIX_LENGTH: Final = 200
CATEGORIES: Final = (
    "engineering",
    "product_management",
    "design",
    "data",
    "leadership",
    "sales",
    "marketing",
    "finance",
    "people_management",
    "hr_people_ops",
    "operations",
    "legal",
    "entrepreneurship",
    "soft_skills",
)


@dataclass(frozen=True)
class Skill:
    name: str
    category: str
    aliases: tuple[str, ...]
    related: tuple[str, ...]


# --- normalisation -------------------------------------------------------------------------

_APOSTROPHES: Final = {"\u2018", "\u2019", "\u02bc", "\u2032", "\uff07"}
# A "." joining two alphanumerics ("node.js", "asp.net") separates words, unless both sides are
# digits ("3.11", "web 2.0"). A "." anywhere else is part of the word (".net" is not "net").
_WORD_DOT: Final = re.compile(r"(?<=[^\W\d_])\.(?=[^\W_])|(?<=\d)\.(?=[^\W\d_])")


def _caseless(text: str) -> str:
    """Unicode compatibility caseless form (Unicode 15, D146), recomposed to NFC."""
    once = unicodedata.normalize("NFKD", unicodedata.normalize("NFD", text).casefold())
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKD", once.casefold()))


def _is_separator(char: str) -> bool:
    """Characters that only ever separate words in a skill name: hyphens and dashes,
    underscores (connector punctuation), "/", control characters and whitespace."""
    if char == "/" or char.isspace():
        return True
    return unicodedata.category(char) in {"Pd", "Pc", "Cc"}


@lru_cache(maxsize=65_536)  # profiles and imports name the same few thousand skills again and again
def normalise_key(text: str) -> str:
    """The comparison key of a skill name, alias or typed text. Two texts name the same skill
    exactly when their keys are equal. The rule, in order:

    1. Invisible format characters (zero-width space, BOM, ...) are dropped.
    2. Unicode compatibility caseless folding: "PYTHON", fullwidth "PYTHON" and "python"
       agree, as do "ß" and "ss"; the key is in NFC. Typographic apostrophes become "'".
    3. Word separators become spaces: hyphens and dashes, underscores, "/", whitespace and
       control characters; so "machine-learning", "machine_learning", "Machine  Learning" and
       "CI/CD" vs "ci cd" agree.
    4. A "." between two alphanumerics is a word separator too ("Node.js" == "node js"), unless
       both neighbours are digits ("3.11" stays). Any other "." is significant: ".NET" != "NET".
    5. A standalone "&" is the word "and" ("Mergers & acquisitions" == "mergers and
       acquisitions"); "&" inside a word is kept ("P&L", "M&A").
    6. Whitespace is trimmed and inner runs collapse to one space.

    Every other symbol is significant, so "C++", "C#", "C" and "F#" all differ. The function
    is idempotent: normalise_key(normalise_key(x)) == normalise_key(x).
    """
    visible = "".join(char for char in text if unicodedata.category(char) != "Cf")
    spaced = "".join(
        " " if _is_separator(char) else "'" if char in _APOSTROPHES else char
        for char in _caseless(visible)
    )
    words = _WORD_DOT.sub(" ", spaced).split()
    return " ".join("and" if word == "&" else word for word in words)


def clean_display_name(text: str) -> str:
    """The display form of a skill that is not in the vocabulary (a tenant-local skill):
    NFC, invisible format characters dropped, control characters and whitespace runs collapsed
    to single spaces, trimmed, and cut to at most 80 characters. Case is kept as typed.

    Raises ValueError when nothing is left.
    """
    visible = "".join(
        " " if unicodedata.category(char) == "Cc" else char
        for char in unicodedata.normalize("NFC", text)
        if unicodedata.category(char) != "Cf"
    )
    cleaned = " ".join(visible.split())[:MAX_DISPLAY_LENGTH].rstrip()
    if not cleaned:
        raise ValueError("a skill name must not be empty")
    return cleaned


# --- the vocabulary and its indexes --------------------------------------------------------

# Kinds of index entry; as suggestion tiers a lower value ranks first.
_EXACT: Final = 0
_NAME: Final = 1
_ALIAS: Final = 2
_WORD: Final = 3


@dataclass(frozen=True)
class _Index:
    skills: tuple[Skill, ...]  # sorted by name; a skill's position is its alphabetical rank
    by_key: dict[str, Skill]  # name and alias keys
    keys: list[str]  # sorted; name, alias and later-word keys (duplicates allowed)
    entries: list[tuple[int, int]]  # parallel to keys: (kind, position of the skill)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where}: expected a list of strings")
    return tuple(value)


def _parse(raw: object) -> list[Skill]:
    if not isinstance(raw, list):
        raise ValueError(f"{VOCABULARY_FILE}: expected a list of skills")
    skills = []
    for number, item in enumerate(raw):
        where = f"{VOCABULARY_FILE}[{number}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected an object")
        name, category = item.get("name"), item.get("category")
        if not isinstance(name, str) or not normalise_key(name):
            raise ValueError(f"{where}: name must be a non-empty string")
        if category not in CATEGORIES:
            raise ValueError(f"{where} ({name}): unknown category {category!r}")
        skills.append(
            Skill(
                name=name,
                category=category,
                aliases=_strings(item.get("aliases", []), f"{where}.aliases"),
                related=_strings(item.get("related", []), f"{where}.related"),
            )
        )
    return skills


def _build(skills: list[Skill]) -> _Index:
    ordered = tuple(sorted(skills, key=lambda skill: (skill.name.casefold(), skill.name)))
    names = {skill.name for skill in ordered}
    by_key: dict[str, Skill] = {}
    pairs: list[tuple[str, int, int]] = []
    for position, skill in enumerate(ordered):
        for text, kind in [(skill.name, _NAME), *((alias, _ALIAS) for alias in skill.aliases)]:
            key = normalise_key(text)
            if not key:
                raise ValueError(f"{skill.name}: empty alias")
            clash = by_key.get(key)
            if clash is not None and (clash is not skill or kind == _NAME):
                raise ValueError(f"{text!r} of {skill.name} also names {clash.name}")
            by_key[key] = skill
            pairs.append((key, kind, position))
        words = normalise_key(skill.name).split(" ")
        pairs.extend((" ".join(words[start:]), _WORD, position) for start in range(1, len(words)))
        unknown = [name for name in skill.related if name not in names or name == skill.name]
        if unknown:
            raise ValueError(f"{skill.name}: related {unknown} are not other vocabulary skills")
    pairs.sort()
    return _Index(
        skills=ordered,
        by_key=by_key,
        keys=[key for key, _, _ in pairs],
        entries=[(kind, position) for _, kind, position in pairs],
    )


@cache
def _index() -> _Index:
    source = resources.files(__package__ or "services.profiles.skills").joinpath(VOCABULARY_FILE)
    return _build(_parse(json.loads(source.read_text(encoding="utf-8"))))


# --- public lookups --------------------------------------------------------------------------


def vocabulary() -> tuple[Skill, ...]:
    """Every vocabulary skill, sorted by name (case-insensitively)."""
    return _index().skills


def canonical(text: str) -> Skill | None:
    """The vocabulary skill whose name or alias has the same key as `text`, else None."""
    return _index().by_key.get(normalise_key(text))


def _prefix_keys(prefix: str) -> list[str]:
    key = normalise_key(prefix)
    if not key:
        return []
    stem = key.rstrip(".")
    if stem != key and stem[-1:].isalnum():
        # "node." is on its way to "node.js", whose key is "node js".
        return [key, f"{stem} "]
    return [key]


@lru_cache(maxsize=1024)  # keys come from user input, so the cache is bounded
def _ranked(keys: tuple[str, ...]) -> tuple[Skill, ...]:
    index = _index()
    best: dict[int, int] = {}
    for key in keys:
        at = bisect_left(index.keys, key)
        while at < len(index.keys) and index.keys[at].startswith(key):
            kind, position = index.entries[at]
            tier = _EXACT if kind != _WORD and index.keys[at] == key else kind
            if tier < best.get(position, _WORD + 1):
                best[position] = tier
            at += 1
    order = sorted(best, key=lambda position: (best[position], position))
    return tuple(index.skills[position] for position in order[:MAX_SUGGESTIONS])


def suggest(prefix: str, limit: int = 10) -> list[Skill]:
    """Autocomplete: skills whose name or an alias starts with `prefix`, or whose name has a
    later word that does ("learn" finds "Machine learning"), all compared by normalise_key.

    Ranked: exact name or alias matches, then name prefixes, then alias prefixes, then later-word
    prefixes; alphabetical by name within a rank. No duplicates; at most min(limit, 50) skills.
    Empty or absurdly long (over 200 characters) prefixes suggest nothing.
    """
    keys = _prefix_keys(prefix) if len(prefix) <= _MAX_PREFIX_LENGTH else []
    if limit <= 0 or not keys:
        return []
    return list(_ranked(tuple(keys))[: min(limit, MAX_SUGGESTIONS)])

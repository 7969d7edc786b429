"""The skill vocabulary: its data file, normalisation, canonical lookup and autocomplete."""

import json
import time
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.profiles.skills import vocabulary as skill_vocabulary
from services.profiles.skills.vocabulary import (
    CATEGORIES,
    MAX_DISPLAY_LENGTH,
    MAX_SUGGESTIONS,
    Skill,
    canonical,
    clean_display_name,
    normalise_key,
    suggest,
    vocabulary,
)

VOCABULARY_PATH = Path(skill_vocabulary.__file__).with_name(skill_vocabulary.VOCABULARY_FILE)


def _raw() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    return data


def _name(text: str) -> str | None:
    skill = canonical(text)
    return skill.name if skill else None


# --- the data file ---------------------------------------------------------------------------


def test_file_entries_have_exactly_the_documented_shape() -> None:
    for entry in _raw():
        assert set(entry) == {"name", "category", "aliases", "related"}, entry
        assert isinstance(entry["name"], str)
        assert entry["name"] == clean_display_name(entry["name"]), entry["name"]
        assert entry["category"] in CATEGORIES, entry
        for text in [*entry["aliases"], *entry["related"]]:
            assert isinstance(text, str)
            assert text == text.strip() and text, entry["name"]


def test_file_has_hundreds_of_skills_in_every_category() -> None:
    raw = _raw()
    assert 400 <= len(raw) <= 700
    assert {entry["category"] for entry in raw} == set(CATEGORIES)
    assert set(CATEGORIES) >= {
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
    }
    assert len(vocabulary()) == len(raw)


def test_file_names_are_unique_even_after_normalisation() -> None:
    names = [entry["name"] for entry in _raw()]
    assert len({name.casefold() for name in names}) == len(names)
    assert len({normalise_key(name) for name in names}) == len(names)


def test_file_aliases_are_unambiguous() -> None:
    owner: dict[str, str] = {}
    for entry in _raw():
        owner[normalise_key(entry["name"])] = entry["name"]
    for entry in _raw():
        for alias in entry["aliases"]:
            key = normalise_key(alias)
            assert key not in owner, f"{alias!r} of {entry['name']} also names {owner[key]}"
            owner[key] = entry["name"]
            # Case-insensitively too, not only after normalisation.
            assert alias.casefold() not in {e["name"].casefold() for e in _raw()}


def test_file_related_names_are_other_skills() -> None:
    names = {entry["name"] for entry in _raw()}
    for entry in _raw():
        related = entry["related"]
        assert len(set(related)) == len(related), entry["name"]
        for name in related:
            assert name in names, f"{entry['name']}: unknown related {name!r}"
            assert name != entry["name"]


def test_loading_rejects_an_ambiguous_vocabulary() -> None:
    with pytest.raises(ValueError, match="also names"):
        skill_vocabulary._build(
            [
                Skill("Alpha", "engineering", ("shared",), ()),
                Skill("Beta", "engineering", ("SHARED",), ()),
            ]
        )
    with pytest.raises(ValueError, match="also names"):
        skill_vocabulary._build(
            [Skill("Alpha", "engineering", ("beta",), ()), Skill("Beta", "data", (), ())]
        )
    with pytest.raises(ValueError, match="related"):
        skill_vocabulary._build([Skill("Alpha", "engineering", (), ("Gamma",))])
    with pytest.raises(ValueError, match="category"):
        skill_vocabulary._parse(
            [{"name": "Alpha", "category": "astrology", "aliases": [], "related": []}]
        )


def test_vocabulary_is_sorted_skills() -> None:
    found = vocabulary()
    assert all(isinstance(skill, Skill) for skill in found)
    assert [s.name.casefold() for s in found] == sorted(s.name.casefold() for s in found)
    assert all(
        isinstance(skill.aliases, tuple) and isinstance(skill.related, tuple) for skill in found
    )


# --- normalise_key and canonical -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("py", "Python"),
        ("python3", "Python"),
        ("PYTHON", "Python"),
        (" Python ", "Python"),
        ("\tpython\n", "Python"),
        ("\uff30\uff59\uff54\uff48\uff4f\uff4e", "Python"),  # fullwidth
        ("k8s", "Kubernetes"),
        ("K8S", "Kubernetes"),
        ("js", "JavaScript"),
        ("ts", "TypeScript"),
        ("golang", "Go"),
        ("ml", "Machine learning"),
        ("machine-learning", "Machine learning"),
        ("Machine  Learning", "Machine learning"),
        ("machine_learning", "Machine learning"),
        ("machine\u2013learning", "Machine learning"),
        ("pm", "Product management"),
        ("ux", "User experience design"),
        ("Node.JS", "Node.js"),
        ("node js", "Node.js"),
        ("nodejs", "Node.js"),
        (".NET", ".NET"),
        ("dotnet", ".NET"),
        ("c sharp", "C#"),
        ("c-sharp", "C#"),
        ("CI/CD", "Continuous integration and delivery"),
        ("ci-cd", "Continuous integration and delivery"),
        ("Mergers & Acquisitions", "Mergers and acquisitions"),
        ("M&A", "Mergers and acquisitions"),
        ("1:1s", "One-on-one meetings"),
        ("front-end", "Frontend development"),
        ("Full stack development", "Full-stack development"),
        ("a11y", "Accessibility"),
    ],
)
def test_canonical_recognises_what_people_type(text: str, name: str) -> None:
    assert _name(text) == name


def test_symbols_that_make_a_language_are_kept() -> None:
    assert {_name("c++"), _name("C#"), _name("c"), _name("F#")} >= {"C++", "C#", "C"}
    assert len({normalise_key(t) for t in ["c++", "c#", "c", "c+", "f#"]}) == 5
    assert _name("C++") == "C++" and _name("cpp") == "C++"
    assert _name("c#") == "C#" and _name("csharp") == "C#"
    assert _name("C") == "C"
    assert _name("net") is None  # ".NET" keeps its leading dot
    assert normalise_key("Python 3.11") == "python 3.11"  # a dot between digits is kept


@pytest.mark.parametrize("text", ["", "   ", "underwater basket weaving", "pythonn", "c+++", "-"])
def test_canonical_of_unknown_text_is_none(text: str) -> None:
    assert canonical(text) is None


def test_every_name_and_alias_is_canonical_for_its_skill() -> None:
    for skill in vocabulary():
        for text in [skill.name, *skill.aliases]:
            for variant in [text, text.upper(), text.casefold(), f"  {text}\t"]:
                assert canonical(variant) is skill, (variant, skill.name)


_SEPARATED = st.text(alphabet=" -_./&+#'\t\u00a0\u2013\u200baB1ßİ\u0301", max_size=30)


@given(st.one_of(st.text(), _SEPARATED))
def test_normalise_key_is_idempotent(text: str) -> None:
    key = normalise_key(text)
    assert normalise_key(key) == key
    assert key == key.strip() and "  " not in key


@given(
    st.lists(st.text(alphabet="abcxyz+#", min_size=1, max_size=6), min_size=1, max_size=4),
    st.data(),
)
def test_word_separators_do_not_matter(words: list[str], data: st.DataObject) -> None:
    joined = words[0]
    for word in words[1:]:
        joined += data.draw(st.sampled_from([" ", "  ", "-", "_", " - ", "\t", "/"])) + word
    assert normalise_key(joined) == normalise_key(" ".join(words))
    assert normalise_key(joined.upper()) == normalise_key(" ".join(words))


# --- clean_display_name ----------------------------------------------------------------------


def test_clean_display_name() -> None:
    assert clean_display_name("  Basket   weaving\n") == "Basket weaving"
    assert clean_display_name("Zero\u200bWidth") == "ZeroWidth"
    assert len(clean_display_name("x" * 200)) == MAX_DISPLAY_LENGTH
    assert clean_display_name("a" * 79 + " b") == "a" * 79
    for empty in ["", "   ", "\t\n", "\u200b"]:
        with pytest.raises(ValueError):
            clean_display_name(empty)


@given(st.text())
def test_clean_display_name_is_trimmed_short_and_stable(text: str) -> None:
    try:
        cleaned = clean_display_name(text)
    except ValueError:  # only when nothing visible was typed
        assert all(char.isspace() or unicodedata.category(char) in {"Cc", "Cf"} for char in text)
        return
    assert 0 < len(cleaned) <= MAX_DISPLAY_LENGTH
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert clean_display_name(cleaned) == cleaned


# --- suggest ---------------------------------------------------------------------------------


def _names(found: list[Skill]) -> list[str]:
    return [skill.name for skill in found]


def test_suggest_examples() -> None:
    assert _names(suggest("pyt"))[0] == "Python"
    assert _names(suggest("Py"))[0] == "Python"  # exact alias first
    assert "Machine learning" in _names(suggest("learn"))
    assert _names(suggest("js"))[0] == "JavaScript"
    # An exact alias outranks other skills' names that merely start with it.
    assert _names(suggest("ai"))[0] == "Artificial intelligence"  # not "AI ethics"
    assert _names(suggest("UX"))[0] == "User experience design"  # not "UX research"
    assert _names(suggest("k8"))[0] == "Kubernetes"
    assert _names(suggest("go"))[0] == "Go"
    assert _names(suggest("c+")) == ["C++"]
    assert _names(suggest(".ne"))[0] == ".NET"
    assert _names(suggest("node."))[0] == "Node.js"  # on its way to "node.js"
    assert suggest("") == [] and suggest("   ") == []
    assert suggest("zzzzqqq") == []


def test_suggest_ranks_name_prefixes_before_alias_prefixes_before_later_words() -> None:
    found = _names(suggest("learn", limit=50))
    assert found.index("Learning agility") < found.index("Machine learning")
    found = _names(suggest("mach", limit=50))
    assert found[:2] == ["Machine learning", "Machine learning operations"]
    # "data" is no skill's exact name or alias: name prefixes, alphabetical, come first.
    found = _names(suggest("data", limit=5))
    assert found == sorted(found, key=str.casefold)
    assert all(name.lower().startswith("data") for name in found)


def test_suggest_limit() -> None:
    assert len(suggest("a", limit=3)) == 3
    assert len(suggest("a", limit=1000)) == MAX_SUGGESTIONS
    assert suggest("a", limit=0) == []
    assert suggest("a", limit=-1) == []
    assert suggest("a" * 201) == []


@cache
def _keyed() -> list[tuple[Skill, str, list[str], list[str]]]:
    rows = []
    for skill in vocabulary():
        name = normalise_key(skill.name)
        words = name.split(" ")
        later = [" ".join(words[start:]) for start in range(1, len(words))]
        rows.append((skill, name, [normalise_key(a) for a in skill.aliases], later))
    return rows


def _reference_suggest(prefix: str, limit: int) -> list[Skill]:
    key = normalise_key(prefix)
    if not key or limit <= 0:
        return []
    ranked = []
    for skill, name, aliases, later in _keyed():
        if key == name or key in aliases:
            tier = 0
        elif name.startswith(key):
            tier = 1
        elif any(alias.startswith(key) for alias in aliases):
            tier = 2
        elif any(words.startswith(key) for words in later):
            tier = 3
        else:
            continue
        ranked.append((tier, skill.name.casefold(), skill.name, skill))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked[: min(limit, MAX_SUGGESTIONS)]]


_TYPED_PREFIX = st.sampled_from(
    [text for skill in vocabulary() for text in (skill.name, *skill.aliases)]
).flatmap(lambda text: st.integers(1, len(text)).map(lambda end: text[:end]))


@given(st.one_of(_TYPED_PREFIX, st.text(max_size=6)), st.integers(min_value=1, max_value=60))
def test_suggest_matches_the_specified_ranking(prefix: str, limit: int) -> None:
    assume(not normalise_key(prefix).endswith("."))
    assert suggest(prefix, limit) == _reference_suggest(prefix, limit)


@given(st.one_of(_TYPED_PREFIX, st.text()), st.integers(min_value=-5, max_value=200))
def test_suggest_never_exceeds_limit_or_duplicates(prefix: str, limit: int) -> None:
    found = suggest(prefix, limit)
    assert len(found) <= max(0, min(limit, MAX_SUGGESTIONS))
    assert len({skill.name for skill in found}) == len(found)


def test_suggest_is_fast_for_short_prefixes() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    prefixes = [*letters, *(a + b for a in letters for b in letters), "pyt", "mac", "dat"]
    vocabulary()  # loading is a one-off cost, not part of a call
    skill_vocabulary._ranked.cache_clear()
    started = time.perf_counter()
    for prefix in prefixes:
        suggest(prefix, limit=MAX_SUGGESTIONS)
    per_call = (time.perf_counter() - started) / len(prefixes)
    assert per_call < 0.001, f"{per_call * 1000:.3f} ms per uncached call"

"""Why a mentee fits, written to the mentor: the facts `scoring.reasons` tells the mentee
(targets the mentor can teach, shared hours, values, ways of talking, openness), told from the
other side of the pair ("Mia wants to grow in Kubernetes, which you list"). Pure: two profiles
and the pair's factors in, sentences out, strongest factor first, only what is true of the pair.
"""

from collections.abc import Mapping
from datetime import datetime

from services.matching import availability, scoring
from services.matching.features import MatchProfile
from services.profiles import queries as profiles


def _first_name(mentee: MatchProfile) -> str:
    return mentee.display_name.split()[0] if mentee.display_name.strip() else "This mentee"


def _expertise(mentee: MatchProfile, mentor: MatchProfile) -> str:
    name = _first_name(mentee)
    levels: dict[str, int] = {}
    for skill in mentor.expertise:
        levels[skill.key] = max(levels.get(skill.key, 0), skill.level)
    targets = mentee.targets
    # Strongest first: the targets the mentor is far ahead in, then the others they list.
    listed = sorted(
        (target for target in targets if target.key in levels),
        key=lambda target: -scoring._teach_credit_of(levels[target.key], target.level),
    )
    parts = []
    if listed:
        parts.append(
            f"{name} wants to grow in {scoring._join([t.name for t in listed[:3]])}, which you list"
        )
    else:
        related = profiles.related_skills()
        names = {skill.key: skill.name for skill in mentor.expertise}
        near = [
            (names[key], target.name)
            for target in targets
            for key in sorted(related.get(target.key, ()))
            if key in names
        ]
        if near:
            mine, theirs = near[0]
            parts.append(f"{name} wants to learn {theirs}; you know the related {mine}")
    shared = [
        industry
        for key, industry in zip(mentee.industries, mentee.industry_names, strict=False)
        if key in set(mentor.industries)
    ]
    if shared:
        parts.append(f"{name} works in {scoring._join(shared)}, as you do")
    if not parts:
        return ""
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]


def _accessibility(mentee: MatchProfile, mentor: MatchProfile, as_of: datetime) -> str:
    if not (mentee.weekly and mentor.weekly):
        return ""
    hours = availability.overlap_hours(
        mentee.weekly, mentee.timezone, mentor.weekly, mentor.timezone, as_of
    )
    if hours <= 0:
        return ""
    return f"{scoring._hours(hours)} hours of your week overlap with {_first_name(mentee)}'s"


def _values(mentee: MatchProfile, mentor: MatchProfile) -> str:
    mine = set(mentor.values)
    shared = [value for value in dict.fromkeys(mentee.values) if value in mine]
    if not shared:
        return ""
    noun = "value" if len(shared) == 1 else "values"
    return f"You share the {noun} {scoring._join(shared)}"


def _communication(mentee: MatchProfile, mentor: MatchProfile) -> str:
    parts = []
    channels = [channel for channel in mentee.channels if channel in set(mentor.channels)]
    if channels:
        phrases = [scoring.CHANNEL_PHRASES.get(channel, channel) for channel in channels]
        parts.append(f"you both prefer {scoring._join(phrases)}")
    if mentee.style is not None and mentee.style == mentor.style:
        parts.append(f"you both like a {mentee.style} style")
    spoken = [
        key for key in scoring._base_languages(mentee.languages) if key in set(mentor.languages)
    ]
    if spoken:
        parts.append(f"you both speak {scoring._join([scoring.language_name(k) for k in spoken])}")
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:]


def _adaptability(mentee: MatchProfile, mentor: MatchProfile) -> str:
    core = {skill.key for skill in mentor.expertise} | set(mentor.industries)
    wants = {target.key for target in mentee.targets} | set(mentee.industries)
    if mentor.openness >= 0.6 and wants - core:
        return (
            f"Some of what {_first_name(mentee)} wants lies beyond your core field, "
            "which you are open to"
        )
    return ""


def reasons_for_mentor(
    mentee: MatchProfile,
    mentor: MatchProfile,
    factors: Mapping[str, float],
    *,
    as_of: datetime,
) -> list[str]:
    """Sentences to the mentor about this mentee, strongest factor first."""
    sentences = {
        "expertise": _expertise(mentee, mentor),
        "accessibility": _accessibility(mentee, mentor, as_of),
        "values": _values(mentee, mentor),
        "communication": _communication(mentee, mentor),
        "adaptability": _adaptability(mentee, mentor),
    }
    return scoring.strongest_first(sentences, factors)

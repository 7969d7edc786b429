"""The coaching review of a request draft: six checks a mentee can act on, and a score.

Pure: a draft, the mentor as matching sees them (or None) and the current time in; a `Review`
out. Each check is pass, warn or fail with one suggestion that quotes what to improve (on a
pass it says what is good, so the mentee knows what to keep). The advice follows the guide's
chapters on approaching a mentor: be specific, do your research, respect their time, offer
something back, ask open questions.

English first. Every word list is a data file in `services/proposals/data/` (one phrase a line,
`#` comments), read once. Text is compared as casefolded word tokens, so case and punctuation
never decide a check.
"""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources
from typing import Final, Literal

from services.matching.queries import MatchProfile, Window, covers, person_zone

Status = Literal["pass", "warn", "fail"]
CheckName = Literal[
    "specific_goals",
    "clear_objectives",
    "personalised",
    "respects_time",
    "offers_contribution",
    "thoughtful_questions",
]
CHECKS: Final[tuple[CheckName, ...]] = (
    "specific_goals",
    "clear_objectives",
    "personalised",
    "respects_time",
    "offers_contribution",
    "thoughtful_questions",
)
# Points of each check out of 100. A mentor first decides whether the request is worth their
# time at all: a clear aim (specific goals) and a sign that the mentee chose *them* (personal)
# weigh most, with whether the ask fits their week (respects time). Objectives and questions
# shape the first conversation rather than the yes; an offer in return is a courtesy that helps
# but seldom decides, so it weighs least.
WEIGHTS: Final[dict[CheckName, int]] = {
    "specific_goals": 20,
    "clear_objectives": 15,
    "personalised": 20,
    "respects_time": 20,
    "offers_contribution": 10,
    "thoughtful_questions": 15,
}
STATUS_VALUE: Final[dict[Status, float]] = {"pass": 1.0, "warn": 0.5, "fail": 0.0}

# Bounds of the checks (domain.md, "Request review").
MAX_OBJECTIVE_WORDS: Final = 20
MESSAGE_WORDS_SHORT: Final = 60  # fewer: too thin to say who you are and why them
MESSAGE_WORDS_CONCISE: Final = 250  # up to here: read in a minute
MESSAGE_WORDS_LONG: Final = 400  # more: likely not read to the end
SESSION_MINUTES: Final = (15, 120)
DURATION_MONTHS: Final = (1, 12)
INTERVAL_DAYS: Final = (7, 62)  # more often than weekly is a lot; rarer than every 2 months drifts
QUOTE_CHARS: Final = 80


@dataclass(frozen=True, slots=True)
class Draft:
    """A request as the mentee wrote it. Cadence and duration may be missing from a draft."""

    message: str = ""
    goals: Sequence[str] = ()
    objectives: Sequence[str] = ()
    questions: Sequence[str] = ()
    interval_days: int | None = None
    session_minutes: int | None = None
    duration_months: int | None = None
    meeting_options: Sequence[tuple[datetime, datetime]] = ()
    contribution: str = ""


@dataclass(frozen=True, slots=True)
class Check:
    name: CheckName
    status: Status
    suggestion: str


@dataclass(frozen=True, slots=True)
class Review:
    score: int  # 0-100
    checks: tuple[Check, ...]  # in CHECKS order


def review(
    draft: Draft, mentor: MatchProfile | None, *, now: datetime, availability_public: bool = True
) -> Review:
    """The coaching report on a draft to this mentor, as of `now`. A mentor who keeps their
    weekly windows private (`availability_public` False) still has the meeting times checked
    against them, but the suggestion does not show the windows."""
    _memo.clear()
    checks = (
        _specific_goals(draft),
        _clear_objectives(draft),
        _personalised(draft, mentor),
        _respects_time(draft, mentor, now, availability_public),
        _offers_contribution(draft),
        _thoughtful_questions(draft),
    )
    score = round(sum(WEIGHTS[check.name] * STATUS_VALUE[check.status] for check in checks))
    return Review(score=score, checks=checks)


# --- words -------------------------------------------------------------------------------

# A word, with inner apostrophes, dots and hyphens ("don't", "node.js", "self-led") and a
# trailing + or # ("c++", "c#"); everything else separates words.
_TOKEN: Final = re.compile(r"\w+(?:['.\-]\w+)*[+#]*")
_APOSTROPHES: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def tokens(text: str) -> list[str]:
    """The words of `text`, casefolded, without punctuation."""
    return _TOKEN.findall(text.translate(_APOSTROPHES).casefold())


# Tokens of the texts of the draft under review: the checks read the message several times.
# Cleared at the start of every review, so it holds one draft's texts at most; a value depends
# only on its key, so a review running beside another (threads) at worst tokenises twice.
_memo: dict[str, tuple[str, ...]] = {}


def _tokens(text: str) -> tuple[str, ...]:
    found = _memo.get(text)
    if found is None:
        found = _memo[text] = tuple(tokens(text))
    return found


def _lines(name: str) -> list[str]:
    text = (resources.files("services.proposals") / "data" / f"{name}.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@cache
def _words(name: str) -> frozenset[str]:
    return frozenset(word for line in _lines(name) for word in tokens(line))


@cache
def _phrases(name: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The list's phrases as token tuples, by first token, longest first."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for line in _lines(name):
        phrase = tuple(tokens(line))
        if phrase:
            by_first.setdefault(phrase[0], []).append(phrase)
    return {
        first: tuple(sorted(set(found), key=len, reverse=True)) for first, found in by_first.items()
    }


def _spans(words: Sequence[str], name: str) -> list[tuple[int, int]]:
    """Where the list's phrases occur in `words`: [start, end) token spans, left to right,
    longest phrase first at each position, not overlapping."""
    phrases = _phrases(name)
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(words):
        for phrase in phrases.get(words[index], ()):
            if tuple(words[index : index + len(phrase)]) == phrase:
                found.append((index, index + len(phrase)))
                index += len(phrase)
                break
        else:
            index += 1
    return found


def _starts_with(words: Sequence[str], name: str) -> int:
    """How many tokens of a phrase from the list `words` starts with (0: none)."""
    for phrase in _phrases(name).get(words[0], ()) if words else ():
        if tuple(words[: len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _forms(word: str) -> Iterator[str]:
    """The word and the base forms it may be an inflection of: leads, leading, planned."""
    yield word
    for suffix, replacement in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            yield word[: -len(suffix)] + replacement
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            yield stem
            yield stem + "e"
            if len(stem) > 2 and stem[-1] == stem[-2]:
                yield stem[:-1]  # planned, running


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """A crude common form for comparing texts: payments and payment, rewrote and rewrite do
    not all meet, but plural and -ing/-ed endings do."""
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            return word[: -len(suffix)]
    return word


def _is_action(word: str) -> bool:
    verbs = _words("action_verbs")
    return any(form in verbs for form in _forms(word))


def _quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """The text as quoted in a suggestion: one line, cut at a word near `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return f"'{flat}'"
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return f"'{cut.rstrip(',;:.')}…'"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _filled(texts: Iterable[str]) -> list[str]:
    return [text for text in texts if _tokens(text)]


def _check(name: CheckName, status: Status, *sentences: str) -> Check:
    return Check(name, status, " ".join(sentence for sentence in sentences if sentence))


# --- 1. specific goals -------------------------------------------------------------------

GoalKind = Literal["specific", "vague", "topic"]


def _has_time_frame(words: Sequence[str]) -> bool:
    """Numbers, dates and periods: "by Q3", "in 3 months", "two talks", "before June"."""
    times, numbers = _words("time_words"), _words("number_words")
    return any(
        any(ch.isdigit() for ch in word)
        or word in times
        or word in numbers
        or (len(word) == 2 and word[0] == "q" and word[1] in "1234")
        for word in words
    )


def _has_outcome(words: Sequence[str], skip: Sequence[tuple[int, int]]) -> bool:
    """An action verb with something after it, outside the vague phrases. An -ing form counts
    only at the start ("Leading a team"): elsewhere it is usually a noun ("better at public
    speaking")."""
    vague = {index for start, end in skip for index in range(start, end)}
    for index, word in enumerate(words[:-1]):
        if index in vague or (word.endswith("ing") and index > 0):
            continue
        if _is_action(word):
            return True
    return False


def goal_kind(goal: str) -> GoalKind:
    """specific: an outcome (action verb and object) or a time frame; vague: a wish in the
    words of vague_phrases.txt ("learn more", "grow"); topic: neither ("Leadership")."""
    words = _tokens(goal)
    vague = _spans(words, "vague_phrases")
    if _has_outcome(words, vague) or _has_time_frame(words):
        return "specific"
    return "vague" if vague else "topic"


def _goal_advice(goal: str, kind: GoalKind) -> str:
    if kind == "vague":
        return (
            f"{_quote(goal)} has no outcome or time frame: say what you want to be able to do, "
            "and by when (e.g. 'run my team's quarterly planning on my own by Q3')."
        )
    return (
        f"{_quote(goal)} names a topic, not an outcome: say what you want to do with it, and "
        "by when (e.g. 'give my first conference talk on it by June')."
    )


def _specific_goals(draft: Draft) -> Check:
    goals = _filled(draft.goals)
    if not goals:
        return _check(
            "specific_goals",
            "fail",
            "You list no goals: add one to three, each with an outcome and a time frame (e.g. "
            "'lead the hiring of two engineers by the end of Q2').",
        )
    kinds = [(goal, goal_kind(goal)) for goal in goals]
    specific = [goal for goal, kind in kinds if kind == "specific"]
    weak = [(goal, kind) for goal, kind in kinds if kind != "specific"]
    if not weak:
        return _check(
            "specific_goals",
            "pass",
            f"Your goals name outcomes they can help you reach, such as {_quote(specific[0])}.",
        )
    advice = _goal_advice(*weak[0])
    others = f"{len(weak) - 1} more goal(s) are as vague." if len(weak) > 1 else ""
    if specific:
        return _check(
            "specific_goals",
            "warn",
            advice,
            others,
            f"{_quote(specific[0])} is the kind of goal to keep.",
        )
    return _check("specific_goals", "fail", advice, others)


# --- 2. clear objectives -----------------------------------------------------------------


def _clear_objectives(draft: Draft) -> Check:
    objectives = _filled(draft.objectives)
    if not objectives:
        return _check(
            "clear_objectives",
            "fail",
            "You list no objectives: add two or three short steps you will take in the "
            "mentorship (e.g. 'Draft a 90-day plan for my new team', 'Practise two mock "
            "interviews').",
        )
    problems: list[str] = []
    for objective in objectives:
        words = _tokens(objective)
        if len(words) > MAX_OBJECTIVE_WORDS:
            problems.append(
                f"{_quote(objective, 60)} is {len(words)} words: cut it to one action in under "
                f"{MAX_OBJECTIVE_WORDS} words."
            )
        elif not any(_is_action(word) for word in words):
            problems.append(
                f"{_quote(objective)} names no action: start with what you will do (e.g. "
                "'Prepare', 'Draft', 'Present')."
            )
    if not problems:
        return _check(
            "clear_objectives",
            "pass",
            f"Your {len(objectives)} objective(s) are short and actionable, such as "
            f"{_quote(objectives[0])}.",
        )
    status: Status = "fail" if len(problems) == len(objectives) else "warn"
    more = f"({len(problems) - 2} more like these.)" if len(problems) > 2 else ""
    return _check("clear_objectives", status, *problems[:2], more)


# --- 3. personalised ---------------------------------------------------------------------

HookKind = Literal["achievement", "organisation", "title", "headline", "skill", "industry"]
# What shows research into this person, not just their field: a message that names a skill of
# theirs could be sent to anyone with that skill.
_STRONG: Final[frozenset[HookKind]] = frozenset(
    {"achievement", "organisation", "title", "headline"}
)
# Which unmentioned hooks a suggestion names first.
_SUGGEST_ORDER: Final[tuple[HookKind, ...]] = (
    "achievement",
    "skill",
    "organisation",
    "title",
    "industry",
    "headline",
)


@dataclass(frozen=True, slots=True)
class _Hook:
    """Something in the mentor's profile a message could refer to."""

    kind: HookKind
    label: str  # how a suggestion names it
    phrase: tuple[str, ...]  # matched as consecutive words (names)
    words: frozenset[str]  # or: stems of which enough must appear (free text)
    needed: int = 0


def _content_stems(text: str) -> frozenset[str]:
    ignore = _words("stopwords") | _words("generic_profile_words")
    return frozenset(_stem(word) for word in _tokens(text) if word not in ignore and len(word) > 2)


def _text_hook(kind: HookKind, label: str, text: str) -> _Hook | None:
    stems = _content_stems(text)
    if not stems:
        return None
    return _Hook(kind, label, (), stems, needed=min(2, len(stems)))


def _name_hook(kind: HookKind, label: str, name: str) -> _Hook | None:
    phrase = tuple(_tokens(name))
    if not phrase or all(word in _words("generic_profile_words") for word in phrase):
        return None
    return _Hook(kind, label, phrase, frozenset())


def _hooks(mentor: MatchProfile) -> list[_Hook]:
    found: list[_Hook | None] = []
    for achievement in mentor.achievements:
        title = achievement.split(": ", 1)[0]
        found.append(_text_hook("achievement", f"their work on {_quote(title, 60)}", title))
    for skill in sorted(mentor.expertise, key=lambda s: -s.level):
        found.append(_name_hook("skill", f"their {skill.name} expertise", skill.name))
    for position in mentor.career:
        title, _, organisation = position.rpartition(", ")
        if organisation:
            found.append(_name_hook("organisation", f"their time at {organisation}", organisation))
        if title:
            found.append(_name_hook("title", f"their path to {title}", title))
    for industry in mentor.industry_names:
        found.append(_name_hook("industry", f"their work in {industry}", industry))
    if mentor.headline:
        found.append(
            _text_hook("headline", f"their headline {_quote(mentor.headline, 60)}", mentor.headline)
        )
    unique: dict[tuple[HookKind, str], _Hook] = {}
    for hook in found:
        if hook is not None:
            unique.setdefault((hook.kind, hook.label.casefold()), hook)
    return list(unique.values())


def _mentions(
    hook: _Hook, words: Sequence[str], where: dict[str, list[int]], stems: frozenset[str]
) -> bool:
    if hook.phrase:
        size = len(hook.phrase)
        return any(
            tuple(words[index : index + size]) == hook.phrase
            for index in where.get(hook.phrase[0], ())
        )
    return len(hook.words & stems) >= hook.needed


def _personalised(draft: Draft, mentor: MatchProfile | None) -> Check:
    # The questions count too: asking about their payments rewrite shows research as well.
    words = [*_tokens(draft.message), *(word for q in draft.questions for word in _tokens(q))]
    if not _tokens(draft.message):
        return _check(
            "personalised",
            "fail",
            "Your message is empty: say in a sentence or two why you chose this mentor.",
        )
    if mentor is None:
        return _check(
            "personalised",
            "warn",
            "We could not compare your message with this mentor's profile: make sure it says "
            "why you chose them (a skill, a step in their career, something they achieved).",
        )
    hooks = _hooks(mentor)
    if not hooks:
        return _check(
            "personalised",
            "warn",
            "Their profile says little about their work yet, so we could not check: say why "
            "you chose them in particular.",
        )
    where: dict[str, list[int]] = {}
    for index, word in enumerate(words):
        where.setdefault(word, []).append(index)
    stems = frozenset(_stem(word) for word in where)
    mentioned = [hook for hook in hooks if _mentions(hook, words, where, stems)]
    unmentioned = sorted(
        (hook for hook in hooks if all(hook is not other for other in mentioned)),
        key=lambda hook: _SUGGEST_ORDER.index(hook.kind),
    )
    ideas = _join([hook.label for hook in unmentioned[:2]])
    if any(hook.kind in _STRONG for hook in mentioned) or len(mentioned) >= 2:
        return _check(
            "personalised",
            "pass",
            f"You refer to {_join([hook.label for hook in mentioned[:2]])}: they will see you "
            "chose them for a reason.",
        )
    if mentioned:
        return _check(
            "personalised",
            "warn",
            f"You mention {mentioned[0].label}, which many mentors share; say what draws you "
            f"to them in particular{f', such as {ideas}' if ideas else ''}.",
        )
    return _check(
        "personalised",
        "fail",
        "Nothing in your message refers to their profile. "
        f"You could mention {ideas or 'what in their career resonates with your goals'}.",
    )


# --- 4. respects time --------------------------------------------------------------------

_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _day(moment: datetime) -> str:
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}"


def option_label(start: datetime, end: datetime, tz: str | None) -> str:
    """A meeting time on the mentor's wall clock: "Tue 3 Mar 07:00-08:00", "Tue 3 Mar
    23:00-Wed 4 Mar 00:30"."""
    mentor_zone = person_zone(tz)
    try:
        first, last = start.astimezone(mentor_zone), end.astimezone(mentor_zone)
    except (OverflowError, ValueError):
        return f"{start.isoformat()} to {end.isoformat()}"
    head = f"{_day(first)} {first:%H:%M}"
    if last.date() == first.date():
        return f"{head}-{last:%H:%M}"
    if last - timedelta(days=1) <= first and (last.hour, last.minute, last.second) == (0, 0, 0):
        return f"{head}-24:00"
    return f"{head}-{_day(last)} {last:%H:%M}"


def weekly_label(weekly: Sequence[Window], tz: str | None) -> str:
    """The mentor's week as a person reads it: "Mon-Thu 09:00-17:00, Fri 09:00-12:00
    Europe/Berlin"; runs of days with the same hours are joined."""
    by_hours: dict[tuple[int, int], list[int]] = {}
    for window in sorted(weekly, key=lambda w: (w.weekday, w.start_minute)):
        if 0 <= window.weekday <= 6:
            days = by_hours.setdefault((window.start_minute, window.end_minute), [])
            if window.weekday not in days:
                days.append(window.weekday)
    parts: list[tuple[int, str]] = []
    for (start, end), days in by_hours.items():
        runs: list[list[int]] = []
        for day in days:
            if runs and day == runs[-1][-1] + 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        names = ", ".join(
            _DAYS[run[0]] if len(run) == 1 else f"{_DAYS[run[0]]}-{_DAYS[run[-1]]}" for run in runs
        )
        parts.append((days[0], f"{names} {_clock(start)}-{_clock(end)}"))
    return f"{', '.join(text for _, text in sorted(parts))} {tz or 'UTC'}"


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _time_issues(
    draft: Draft, mentor: MatchProfile | None, now: datetime, availability_public: bool
) -> list[tuple[Status, str]]:
    issues: list[tuple[Status, str]] = []
    words = len(_tokens(draft.message))
    if words == 0:
        issues.append(("fail", "Write a short message: who you are, why them, what you hope for."))
    elif words < MESSAGE_WORDS_SHORT:
        issues.append(
            (
                "warn",
                f"Your message is {words} words: add a few sentences on why them and what "
                "you "
                f"hope to achieve ({MESSAGE_WORDS_SHORT}-{MESSAGE_WORDS_CONCISE} words read well).",
            )
        )
    elif words > MESSAGE_WORDS_LONG:
        issues.append(
            (
                "fail",
                f"Your message is {words} words: a busy mentor may not read it all; keep it "
                f"under {MESSAGE_WORDS_CONCISE}.",
            )
        )
    elif words > MESSAGE_WORDS_CONCISE:
        issues.append(
            (
                "warn",
                f"Your message is {words} words: cut it to under {MESSAGE_WORDS_CONCISE}, they "
                "read it between other work.",
            )
        )

    session, interval = draft.session_minutes, draft.interval_days
    if session is None or interval is None:
        issues.append(
            (
                "warn",
                "Propose how often and how long you would meet, e.g. 45 minutes every two weeks.",
            )
        )
    else:
        low, high = SESSION_MINUTES
        if session > high:
            issues.append(
                ("fail", f"{session}-minute sessions are a lot to ask: propose 30 to 60 minutes.")
            )
        elif session < low:
            issues.append(("fail", f"{session} minutes is too short to get anywhere: ask for 30."))
        if interval < INTERVAL_DAYS[0]:
            issues.append(
                (
                    "warn",
                    f"Meeting every {interval} day(s) is a lot to ask: weekly or every two weeks "
                    "is usual.",
                )
            )
        elif interval > INTERVAL_DAYS[1]:
            issues.append(
                ("warn", f"Meeting every {interval} days leaves long gaps: monthly keeps momentum.")
            )
        if mentor is not None and mentor.hours_per_month:
            monthly = session * 30 / interval / 60
            if monthly > mentor.hours_per_month:
                issues.append(
                    (
                        "warn",
                        f"{session} minutes every {interval} days is about {monthly:.1f} h a "
                        f"month; they offer {mentor.hours_per_month} h a month.",
                    )
                )

    months = draft.duration_months
    if months is None:
        issues.append(("warn", "Say for how long you would meet, e.g. 6 months."))
    elif months > DURATION_MONTHS[1]:
        issues.append(
            (
                "warn",
                f"{months} months is a long commitment to ask for up front: propose 3 to 6 months "
                "and extend if it works.",
            )
        )
    elif months < DURATION_MONTHS[0]:
        issues.append(("fail", "Propose at least one month: a single talk is not a mentorship."))
    if months is not None and interval is not None and months * 30 // interval < 2:
        issues.append(
            (
                "warn",
                f"Every {interval} days for {months} month(s) is one meeting: meet more often "
                "or for longer, so there is time to act on their advice.",
            )
        )

    tz = mentor.timezone if mentor is not None else None
    options = [(_aware(start), _aware(end)) for start, end in draft.meeting_options]
    past = [option for option in options if option[0] <= now]
    future = [option for option in options if option[0] > now]
    if past:
        issues.append(
            ("fail", f"{_labels(past, tz)} {'is' if len(past) == 1 else 'are'} in the past.")
        )
    flexible = bool(_spans(_tokens(draft.message), "flexible_phrases"))
    if len(future) < 2 and not flexible:
        issues.append(
            (
                "warn",
                "Offer two or three meeting times, or say you can fit around their schedule."
                if not future
                else "Offer one or two more meeting times, or say you are flexible.",
            )
        )
    if mentor is not None and mentor.weekly and future:
        outside = [o for o in future if not covers(mentor.weekly, tz, o[0], o[1])]
        if outside:
            verb = "is" if len(outside) == 1 else "are"
            issues.append(
                (
                    "fail" if len(outside) == len(future) else "warn",
                    f"{_labels(outside, tz)} (their time) {verb} outside their availability "
                    + (
                        f"({weekly_label(mentor.weekly, tz)})."
                        if availability_public
                        else "(they keep their hours private): offer other times or say you "
                        "are flexible."
                    ),
                )
            )
    return issues


def _labels(options: Sequence[tuple[datetime, datetime]], tz: str | None) -> str:
    shown = [f"'{option_label(start, end, tz)}'" for start, end in options[:3]]
    if len(options) > 3:
        shown.append(f"{len(options) - 3} more")
    return _join(shown)


def _respects_time(
    draft: Draft, mentor: MatchProfile | None, now: datetime, availability_public: bool
) -> Check:
    issues = _time_issues(draft, mentor, _aware(now), availability_public)
    if issues:
        status: Status = "fail" if any(level == "fail" for level, _ in issues) else "warn"
        return _check("respects_time", status, *(sentence for _, sentence in issues))
    fits = " inside their availability" if mentor is not None and mentor.weekly else ""
    count = len(draft.meeting_options)
    times = f"{count} meeting options{fits}" if count >= 2 else "flexible timing"
    return _check(
        "respects_time",
        "pass",
        f"A concise message ({len(_tokens(draft.message))} words), {draft.session_minutes}-minute "
        f"sessions every {draft.interval_days} days for {draft.duration_months} months, and "
        f"{times}: easy for them to say yes to.",
    )


# --- 5. offers something back ------------------------------------------------------------


def _offers_contribution(draft: Draft) -> Check:
    words = _tokens(draft.contribution)
    example = (
        "e.g. 'I can share what I learn migrating our data platform' or 'I'd be glad to review "
        "your conference slides'"
    )
    if not words:
        if _spans(_tokens(draft.message), "offer_phrases"):
            return _check(
                "offers_contribution",
                "warn",
                "You hint at an offer in your message; state it in the contribution too, so "
                f"they see at a glance what you bring ({example}).",
            )
        return _check(
            "offers_contribution",
            "fail",
            f"Say what you can offer in return: mentoring works both ways ({example}).",
        )
    filler = {
        index for start, end in _spans(words, "filler_contributions") for index in range(start, end)
    }
    stop = _words("stopwords")
    substance = [
        word for index, word in enumerate(words) if index not in filler and word not in stop
    ]
    if not substance:
        return _check(
            "offers_contribution",
            "warn",
            f"{_quote(draft.contribution)} is not something they can picture: name a skill, an "
            f"insight or a task you can take on ({example}).",
        )
    return _check(
        "offers_contribution",
        "pass",
        f"You offer {_quote(draft.contribution)}: a concrete reason for them to say yes.",
    )


# --- 6. thoughtful questions -------------------------------------------------------------

QuestionKind = Literal["open", "yes_no", "unclear"]
_SENTENCE: Final = re.compile(r"[^.?!\n]+[.?!]*")
_BE_VERBS: Final = frozenset(
    {"is", "are", "was", "were", "am", "isn't", "aren't", "wasn't", "weren't"}
)
_NEGATIVE: Final = re.compile(r"n't$")


def _sentence_kind(words: list[str]) -> QuestionKind:
    for _ in range(3):  # "So, I'd love to know: how ..."
        skip = _starts_with(words, "lead_ins")
        if not skip:
            break
        words = words[skip:]
    if not words:
        return "unclear"
    if _starts_with(words, "open_starters"):
        return "open"
    if words[0] in _words("yes_no_auxiliaries"):
        # "Could you tell me about ...", "Would you walk me through ...": an account, not a yes.
        if len(words) > 2 and words[1] == "you" and words[2] in _words("open_requests"):
            return "open"
        return "yes_no"
    # "Looking back, what would you ...", "If you were me, how ..."
    if any(_starts_with(words[index:], "open_starters") for index in range(1, len(words))):
        return "open"
    return "unclear"


def question_kind(question: str) -> QuestionKind:
    """open: asks for an account (what, how, why, "tell me about"); yes_no: opens with an
    auxiliary (do, can, is, would ...); unclear: neither."""
    parts = [words for words in map(tokens, _SENTENCE.findall(question)) if words]
    kinds = [_sentence_kind(words) for words in parts]
    if "open" in kinds:
        return "open"
    return "yes_no" if "yes_no" in kinds else "unclear"


@cache
def _rewording(group: str) -> frozenset[str]:
    for line in _lines("rewording"):
        name, _, words = line.partition(":")
        if name.strip() == group:
            return frozenset(word.strip().casefold() for word in words.split(","))
    return frozenset()


def open_rewording(question: str) -> str:
    """A yes/no question turned open, for a suggestion: "Did you enjoy X?" -> "What did you
    enjoy about X?", "Have you ever failed?" -> "When have you failed, and what did you
    learn?", otherwise "How ..." ("In what way" before is/are, "Why" before don't)."""
    sentences = [part.strip() for part in _SENTENCE.findall(question) if _tokens(part)]
    asked = next(
        (part for part in sentences if part.endswith("?")), sentences[-1] if sentences else ""
    )
    body = " ".join(asked.rstrip("?!. ").split())
    if not body:
        return "What has your experience been with this?"
    parts = body.split(" ")
    words = [part.casefold().strip(",;:") for part in parts]
    lowered = body[0].lower() + body[1:]
    first = words[0]
    if first in ("do", "does", "did") and len(words) > 3:
        aux, subject, verb, rest = words[0], parts[1], words[2], parts[3:]
        if verb in _rewording("like"):
            return f"What {aux} {subject} {parts[2]} about {' '.join(rest)}?"
        if verb in _rewording("opinion"):
            clause = rest[1:] if rest[0].casefold() == "that" and len(rest) > 1 else rest
            return f"What would you weigh in deciding whether {' '.join(clause)}?"
        if verb == "have":
            while rest and rest[0].casefold() in _rewording("determiner"):
                rest = rest[1:]
            split = next(
                (i for i, part in enumerate(rest) if part.casefold() in _rewording("preposition")),
                len(rest),
            )
            if 0 < split <= 3:
                tail = " ".join(["have", *rest[split:]])
                return f"What {' '.join(rest[:split])} {aux} {subject} {tail}?"
    if first in ("have", "has") and len(words) > 2 and words[1] == "you":
        rest = parts[3:] if words[2] == "ever" else parts[2:]
        if rest:
            return f"When have you {' '.join(rest)}, and what did you learn?"
    if (
        first in ("would", "could", "will")
        and len(words) > 5
        and words[1:3] == ["you", "be"]
        and words[3] in _rewording("willing")
        and words[4] == "to"
    ):
        return f"What would help you decide whether to {' '.join(parts[5:])}?"
    if first in _BE_VERBS:
        return f"In what way {lowered}?"
    if _NEGATIVE.search(first):
        return f"Why {lowered}?"
    return f"How {lowered}?"


def _thoughtful_questions(draft: Draft) -> Check:
    questions = _filled(draft.questions)
    if not questions:
        return _check(
            "thoughtful_questions",
            "fail",
            "End with one or two open questions they can think about before you meet, e.g. "
            "'How did you decide when to move from engineering into management?'",
        )
    kinds = [(question, question_kind(question)) for question in questions]
    open_ones = [question for question, kind in kinds if kind == "open"]
    closed = [question for question, kind in kinds if kind == "yes_no"]
    rewording = (
        f"{_quote(closed[0])} can be answered with yes or no; ask it openly, e.g. "
        f"{_quote(open_rewording(closed[0]), 120)}."
        if closed
        else ""
    )
    if open_ones:
        return _check(
            "thoughtful_questions",
            "pass",
            f"{_quote(open_ones[0])} invites a real conversation.",
            rewording,
        )
    if closed:
        return _check("thoughtful_questions", "fail", rewording)
    return _check(
        "thoughtful_questions",
        "warn",
        f"{_quote(questions[0])} does not read as a question: start with what, how or why, e.g. "
        "'What would you focus on in my first year as a lead?'",
    )

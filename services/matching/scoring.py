"""The five matching factors and the hard filters, vectorised over every mentor at once.

`MentorArrays` holds many mentors as dense numpy columns (one row per mentor, rows reused as
mentors come and go) and inverted postings per key (skills with levels, industries, values,
languages, programs, text). `score` computes, for one mentee, every row's five factors, the
weighted total and whether the pair is eligible, without a Python loop over mentors: the loops
run over the mentee's few keys (targets, industries, values, languages, query terms). The
scalar functions (`blocked_by`, `reasons`) read two `MatchProfile`s and serve `explain` and the
few results returned.

Each factor is in [0, 1] (domain.md, "Matching factors"). Missing data on either side reads as
NEUTRAL (0.5) for that part of the factor: never a crash, never a perfect score.
"""

import math
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

import numpy as np

from services.matching import availability
from services.matching.features import FACTORS, MatchProfile, Skill
from services.matching.text import Bm25, positions_of, tokens
from services.profiles import queries as profiles

NEUTRAL = 0.5
DEFAULT_WEIGHTS = (0.35, 0.2, 0.15, 0.15, 0.15)  # programs/schemas.py DEFAULT_MATCHING_WEIGHTS

CHANNELS = ("video", "voice", "chat", "email", "in_person")
STYLES = ("direct", "supportive", "socratic", "structured")
SENIORITY = ("intern", "junior", "mid", "senior", "lead", "principal", "executive")
# Style fit, mentee style (row) by mentor style (column); the last row and column: unknown.
# The same style fits best; direct/structured and supportive/socratic are close kin.
_STYLE_FIT = np.array(
    [
        [1.0, 0.3, 0.4, 0.7, NEUTRAL],
        [0.3, 1.0, 0.7, 0.4, NEUTRAL],
        [0.4, 0.7, 1.0, 0.4, NEUTRAL],
        [0.7, 0.4, 0.4, 1.0, NEUTRAL],
        [NEUTRAL] * 5,
    ],
    dtype=np.float32,
)
RELATED_CREDIT = 0.5  # a vocabulary-related skill teaches half as well as the skill itself
STRONG = 0.6  # a target counts as "strong" in reasons from this credit on
OVERLAP_SCALE_HOURS = 4.0  # 1 - exp(-h / 4): 2 h/week 0.39, 4 h 0.63, 8 h 0.86
RESPONSE_SCALE_HOURS = 48.0  # exp(-h / 48): 4 h 0.92, 24 h 0.61, 72 h 0.22
# Parts of each factor, weights summing to 1.
EXPERTISE_PARTS = (0.6, 0.15, 0.25)  # target coverage, industry overlap, text relevance
ACCESS_PARTS = (0.25, 0.4, 0.15, 0.2)  # places ratio, overlap, time zone, response time
COMMUNICATION_PARTS = (0.45, 0.3, 0.25)  # channels, style, language breadth
PREFERENCE_PARTS = (0.5, 0.25, 0.25)  # teachable targets, shared values, overlap

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "bn": "Bengali",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "ms": "Malay",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "sw": "Swahili",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
CHANNEL_PHRASES = {
    "video": "video calls",
    "voice": "voice calls",
    "chat": "chat",
    "email": "email",
    "in_person": "meeting in person",
}


def _channel_bits(channels: Iterable[str]) -> int:
    bits = 0
    for channel in channels:
        if channel in CHANNELS:
            bits |= 1 << CHANNELS.index(channel)
    return bits


def _style_code(style: str | None) -> int:
    return STYLES.index(style) if style in STYLES else len(STYLES)


def _base_languages(keys: Iterable[str]) -> list[str]:
    """Distinct languages: "pt-br" also comes with "pt", so the regional keys are not counted."""
    return list(dict.fromkeys(key for key in keys if "-" not in key))


def _teach_credit(mentor_level: np.ndarray, mentee_level: int) -> np.ndarray:
    """How well a mentor at `mentor_level` (1-5) teaches someone at `mentee_level` (0-5, 0
    unrated): the level itself, times how far ahead they are (2 levels ahead: full)."""
    level = mentor_level.astype(np.float32)
    ahead = np.clip((level - np.float32(mentee_level)) / np.float32(2.0), 0.0, 1.0)
    credit: np.ndarray = (level / np.float32(5.0)) * ahead
    return credit


def _teach_credit_of(mentor_level: int, mentee_level: int) -> float:
    """`_teach_credit` for one pair, for reasons."""
    return (mentor_level / 5) * min(max((mentor_level - mentee_level) / 2, 0.0), 1.0)


def _is_mentor(profile: MatchProfile) -> bool:
    return profile.is_mentor and profile.active


class _Postings:
    """key -> ascending int32 rows (and optional per-row values), rebuilt once per touched key
    in a batch."""

    def __init__(self, value_dtype: type | None = None) -> None:
        self.value_dtype = value_dtype
        self.rows: dict[str, np.ndarray] = {}
        self.values: dict[str, np.ndarray] = {}
        self._removed: dict[str, set[int]] = {}
        self._added: dict[str, dict[int, float]] = {}

    def drop(self, row: int, keys: Iterable[str]) -> None:
        for key in keys:
            self._removed.setdefault(key, set()).add(row)
            self._added.get(key, {}).pop(row, None)

    def add(self, row: int, key: str, value: float = 0) -> None:
        self._added.setdefault(key, {})[row] = value

    def flush(self) -> None:
        for key in self._removed.keys() | self._added.keys():
            rows = self.rows.get(key, np.zeros(0, dtype=np.int32))
            values = self.values.get(key) if self.value_dtype else None
            added = self._added.get(key, {})
            gone_rows = self._removed.get(key, set()) | set(added)
            if gone_rows and rows.size:
                batch = np.sort(np.fromiter(gone_rows, dtype=np.int32, count=len(gone_rows)))
                gone = positions_of(rows, batch)
                rows = np.delete(rows, gone)
                values = np.delete(values, gone) if values is not None else None
            if added:
                new_rows = np.fromiter(added, dtype=np.int32, count=len(added))
                order = np.argsort(new_rows)
                new_rows = new_rows[order]
                at = np.searchsorted(rows, new_rows)
                rows = np.insert(rows, at, new_rows)
                if self.value_dtype is not None:
                    new_values: np.ndarray = np.fromiter(added.values(), dtype=self.value_dtype)
                    base = values if values is not None else np.zeros(0, dtype=self.value_dtype)
                    values = np.insert(base, at, new_values[order])
            if rows.size:
                self.rows[key] = rows
                if values is not None:
                    self.values[key] = values
            else:
                self.rows.pop(key, None)
                self.values.pop(key, None)
        self._removed.clear()
        self._added.clear()

    def get(self, key: str) -> np.ndarray | None:
        return self.rows.get(key)

    def nbytes(self) -> int:
        arrays = sum(a.nbytes for a in self.rows.values())
        arrays += sum(a.nbytes for a in self.values.values())
        # about 112 bytes per numpy array object, 100 per dict slot and key
        return arrays + (112 + 100) * (len(self.rows) + len(self.values))


# A row's posting keys, per postings (skills, industries, values, languages, programs): pairs
# of key and value (a skill's level; 0 for the others).
_Keys = tuple[tuple[tuple[str, int], ...], ...]


@lru_cache(maxsize=1 << 16)
def _pair(key: str, value: int = 0) -> tuple[str, int]:
    """One shared tuple per (key, value): 100,000 mentors' keys cost a pointer each."""
    return (key, value)


def _posting_keys(mentor: MatchProfile) -> _Keys:
    levels: dict[str, int] = {}
    for skill in mentor.expertise:
        levels[skill.key] = max(levels.get(skill.key, 0), skill.level)
    programs = sorted(str(program) for program in mentor.mentor_programs)
    return (
        tuple(_pair(key, level) for key, level in levels.items()),
        tuple(_pair(key) for key in dict.fromkeys(mentor.industries)),
        tuple(_pair(key) for key in dict.fromkeys(mentor.values)),
        tuple(_pair(key) for key in dict.fromkeys(mentor.languages)),
        tuple(_pair(key) for key in programs),
    )


_COLUMNS: dict[str, tuple[type, float]] = {
    # name: (dtype, value of a free row)
    "live": (np.bool_, False),
    "accepting": (np.bool_, False),
    "capacity": (np.int16, 0),
    "places": (np.int16, 0),
    "openness": (np.float32, 0.0),
    "channels": (np.uint8, 0),
    "style": (np.int8, len(STYLES)),
    "response": (np.float32, np.nan),
    "zone": (np.int16, 0),
    "has_windows": (np.bool_, False),
    "manager": (np.int32, -1),
    "years": (np.int16, -1),
    "seniority": (np.int8, -1),
    "n_skills": (np.int16, 0),
    "n_industries": (np.int16, 0),
    "n_values": (np.int16, 0),
    "n_languages": (np.int16, 0),
    # Derived once per mentor, so a score reads one column instead of recomputing from several:
    "open": (np.bool_, False),  # live, accepting and a place left
    "access_static": (np.float32, 0.0),  # the places-ratio and response-time parts
    "comm_code": (np.uint8, 0),  # channels bitmask * 5 + style code, for one table lookup
    # 1.0 where the mentor declared none: a share over their postings is 0 there, and adding
    # NEUTRAL times this is one pass where np.where would be a slow one.
    "no_values": (np.float32, 0.0),
    "no_languages": (np.float32, 0.0),
    "no_windows": (np.float32, 0.0),
}


class MentorArrays:
    """Many mentors as numpy columns and postings, updated in place (rows are reused)."""

    def __init__(self, capacity: int = 1024) -> None:
        self._capacity = 0
        self._high = 0  # rows 0.._high-1 have been used; the rest were never
        self._ids: list[uuid.UUID | None] = []
        self._row: dict[uuid.UUID, int] = {}
        self._free: list[int] = []
        self._keys: list[_Keys | None] = []  # row -> its posting keys
        self._conflicts: list[frozenset[uuid.UUID]] = []  # row -> people it declared
        self._declared_by: dict[uuid.UUID, set[int]] = {}  # person -> rows that declared them
        self._codes: dict[uuid.UUID, int] = {}  # managers, as int32 codes
        self._zones: list[str | None] = [None]
        self._zone_index: dict[str | None, int] = {None: 0}
        self._zone_cache: tuple[datetime, int, np.ndarray] | None = None
        self._zones_intp: np.ndarray | None = None
        self.columns: dict[str, np.ndarray] = {}
        # Availability word by word, [11, rows]: each pass over the mentors is one long array.
        self.masks = np.zeros((availability.WORDS, 0), dtype=np.uint64)
        self.skills = _Postings(np.int8)
        self.industries = _Postings()
        self.values = _Postings()
        self.languages = _Postings()
        self.programs = _Postings()
        self.text = Bm25()
        self._grow(capacity)

    # -- bookkeeping ------------------------------------------------------------------------

    def _grow(self, capacity: int) -> None:
        old = self._capacity
        for name, (dtype, free) in _COLUMNS.items():
            column: np.ndarray = np.full(capacity, free, dtype=dtype)
            if old:
                column[:old] = self.columns[name]
            self.columns[name] = column
        masks = np.zeros((availability.WORDS, capacity), dtype=np.uint64)
        masks[:, :old] = self.masks
        self.masks = masks
        self._ids.extend([None] * (capacity - old))
        self._keys.extend([None] * (capacity - old))
        self._conflicts.extend([frozenset()] * (capacity - old))
        self._capacity = capacity

    def __len__(self) -> int:
        return len(self._row)

    @property
    def n_rows(self) -> int:
        """Rows a score covers (live and free ones alike)."""
        return self._high

    def row_of(self, user_id: uuid.UUID) -> int | None:
        return self._row.get(user_id)

    def user_id_at(self, row: int) -> uuid.UUID:
        user_id = self._ids[row] if 0 <= row < self._high else None
        if user_id is None:
            raise KeyError(row)
        return user_id

    def _code(self, person: uuid.UUID) -> int:
        code = self._codes.get(person)
        if code is None:
            code = self._codes[person] = len(self._codes)
        return code

    def _zone_of(self, tz: str | None) -> int:
        index = self._zone_index.get(tz)
        if index is None:
            index = self._zone_index[tz] = len(self._zones)
            self._zones.append(tz)
        return index

    def _postings(self) -> tuple[_Postings, ...]:
        return (self.skills, self.industries, self.values, self.languages, self.programs)

    def _release(self, row: int, keep: _Keys | None = None) -> None:
        """Empty a row's postings (but the parts equal in `keep`, the row's next keys: a
        change of places or availability rebuilds no posting) and columns."""
        old = self._keys[row]
        if old is not None:
            for index, postings in enumerate(self._postings()):
                if keep is None or keep[index] != old[index]:
                    postings.drop(row, [entry[0] for entry in old[index]])
        for person in self._conflicts[row]:
            rows = self._declared_by.get(person)
            if rows is not None:
                rows.discard(row)
                if not rows:
                    del self._declared_by[person]
        self._conflicts[row] = frozenset()
        self._keys[row] = None
        for name, (_, free) in _COLUMNS.items():
            self.columns[name][row] = free
        self.masks[:, row] = 0

    # -- updates ----------------------------------------------------------------------------

    def upsert(self, mentors: Iterable[MatchProfile]) -> None:
        """Add or replace mentors; a profile that is not an active mentor is removed."""
        texts: list[tuple[int, str]] = []
        for mentor in mentors:
            row = self._row.get(mentor.user_id)
            keys = _posting_keys(mentor) if _is_mentor(mentor) else None
            old = self._keys[row] if row is not None else None
            if row is not None:
                self._release(row, keep=keys)
            if keys is None:
                if row is not None:
                    self._forget(row)
                    texts.append((row, ""))
                continue
            if row is None:
                row = self._allocate(mentor.user_id)
            self._fill(row, mentor, keys, old)
            texts.append((row, mentor.profile_text))
        self._flush(texts)

    def remove(self, user_ids: Iterable[uuid.UUID]) -> None:
        texts = []
        for user_id in user_ids:
            row = self._row.get(user_id)
            if row is not None:
                self._release(row)
                self._forget(row)
                texts.append((row, ""))
        self._flush(texts)

    def _flush(self, texts: list[tuple[int, str]]) -> None:
        self._zones_intp = None
        for postings in (self.skills, self.industries, self.values, self.languages, self.programs):
            postings.flush()
        if texts:
            self.text.set_many(texts)

    def _allocate(self, user_id: uuid.UUID) -> int:
        if self._free:
            row = self._free.pop()
        else:
            if self._high == self._capacity:
                self._grow(2 * self._capacity)
            row = self._high
            self._high += 1
        self._ids[row] = user_id
        self._row[user_id] = row
        return row

    def _forget(self, row: int) -> None:
        user_id = self._ids[row]
        if user_id is not None:
            del self._row[user_id]
        self._ids[row] = None
        self._free.append(row)

    def _fill(self, row: int, mentor: MatchProfile, keys: _Keys, old: _Keys | None) -> None:
        c = self.columns
        c["live"][row] = True
        c["accepting"][row] = mentor.accepting_requests
        c["capacity"][row] = min(max(mentor.capacity, 0), 32767)
        c["places"][row] = min(mentor.places_left, 32767)
        c["openness"][row] = min(max(mentor.openness, 0.0), 1.0)
        c["channels"][row] = _channel_bits(mentor.channels)
        c["style"][row] = _style_code(mentor.style)
        c["response"][row] = (
            np.nan if mentor.response_time_hours is None else max(mentor.response_time_hours, 0)
        )
        c["zone"][row] = self._zone_of(mentor.timezone)
        c["has_windows"][row] = bool(mentor.weekly)
        c["manager"][row] = -1 if mentor.manager_id is None else self._code(mentor.manager_id)
        c["years"][row] = -1 if mentor.years_experience is None else mentor.years_experience
        c["seniority"][row] = (
            SENIORITY.index(mentor.seniority) if mentor.seniority in SENIORITY else -1
        )
        self.masks[:, row] = availability.week_mask(mentor.weekly)
        places = c["places"][row] / c["capacity"][row] if c["capacity"][row] > 0 else 0.0
        response = (
            NEUTRAL
            if mentor.response_time_hours is None
            else math.exp(-max(mentor.response_time_hours, 0) / RESPONSE_SCALE_HOURS)
        )
        c["access_static"][row] = ACCESS_PARTS[0] * places + ACCESS_PARTS[3] * response
        c["open"][row] = mentor.accepting_requests and mentor.places_left > 0
        c["comm_code"][row] = c["channels"][row] * (len(STYLES) + 1) + c["style"][row]
        c["no_windows"][row] = not mentor.weekly
        for index, postings in enumerate(self._postings()):
            if old is None or old[index] != keys[index]:
                for key, value in keys[index]:
                    postings.add(row, key, value)
        levels, industries, values, languages, _ = keys
        c["n_skills"][row] = len(levels)
        c["n_industries"][row] = len(industries)
        c["n_values"][row] = len(values)
        c["n_languages"][row] = len(languages)
        c["no_values"][row] = not values
        c["no_languages"][row] = not languages
        self._keys[row] = keys
        self._conflicts[row] = mentor.conflicts
        for person in mentor.conflicts:
            self._declared_by.setdefault(person, set()).add(row)

    # -- reading ----------------------------------------------------------------------------

    def zone_table(self, as_of: datetime) -> np.ndarray:
        """Every known zone's wall-clock slot per UTC quarter hour of `as_of`'s week, cached
        until the week or the set of zones changes."""
        week = availability.week_start(as_of)
        cached = self._zone_cache
        if cached is not None and cached[0] == week and cached[1] == len(self._zones):
            return cached[2]
        table = availability.slot_table(self._zones, week)
        self._zone_cache = (week, len(self._zones), table)
        return table

    def zones_intp(self) -> np.ndarray:
        """The rows' zone indexes as intp (what take wants), cached until a row changes."""
        if self._zones_intp is None:
            self._zones_intp = self.columns["zone"][: self._high].astype(np.intp)
        return self._zones_intp

    def zone_offsets(self, as_of: datetime) -> np.ndarray:
        return np.array(
            [availability.utc_offset_hours(zone, as_of) for zone in self._zones], dtype=np.float32
        )

    def rows_of(self, user_ids: Iterable[uuid.UUID]) -> np.ndarray:
        rows = [row for user_id in user_ids if (row := self._row.get(user_id)) is not None]
        return np.array(rows, dtype=np.int64)

    def declared_against(self, person: uuid.UUID) -> np.ndarray:
        return np.fromiter(self._declared_by.get(person, ()), dtype=np.int64)

    def manager_code(self, person: uuid.UUID | None) -> int | None:
        return None if person is None else self._codes.get(person)

    def nbytes(self) -> int:
        """Bytes held: columns, masks, postings, text, and the Python maps (estimated)."""
        arrays = sum(column.nbytes for column in self.columns.values()) + self.masks.nbytes
        postings = sum(
            p.nbytes()
            for p in (self.skills, self.industries, self.values, self.languages, self.programs)
        )
        # ids list 8 B/row, row map ~100 B/entry, uuid objects 56 B, key tuples ~ 6 tuples of
        # 56 B + 8 B per key; conflicts and codes ~100 B per entry.
        keys = sum(
            6 * 56 + 8 * sum(len(part) for part in entry)
            for entry in self._keys[: self._high]
            if entry is not None
        )
        maps = (
            8 * len(self._ids)
            + 8 * len(self._keys)
            + 8 * len(self._conflicts)
            + 156 * len(self._row)
            + 100 * (len(self._codes) + sum(len(rows) for rows in self._declared_by.values()))
        )
        return arrays + postings + keys + maps + self.text.nbytes()


@dataclass
class Scores:
    total: np.ndarray  # float32 per row
    factors: np.ndarray  # float32 rows x 5, in FACTORS order
    eligible: np.ndarray  # bool per row; free rows False


def weights_vector(weights: Mapping[str, float] | None) -> np.ndarray:
    """The five weights in FACTORS order, summing to 1; None gives the defaults. Missing names
    weigh 0; unknown names, negative, non-finite or all-zero weights raise ValueError."""
    if weights is None:
        vector = np.array(DEFAULT_WEIGHTS, dtype=np.float64)
    else:
        unknown = set(weights) - set(FACTORS)
        if unknown:
            raise ValueError(f"unknown matching factors: {sorted(unknown)}")
        vector = np.array([float(weights.get(name, 0.0)) for name in FACTORS], dtype=np.float64)
    if not np.all(np.isfinite(vector)) or np.any(vector < 0):
        raise ValueError("matching weights must be finite and not negative")
    total = vector.sum()
    if total <= 0:
        raise ValueError("at least one matching weight must be above 0")
    normalised: np.ndarray = (vector / total).astype(np.float32)
    return normalised


# -- the vectorised factors -------------------------------------------------------------------
#
# Every pass over the mentors costs about the same (one array of 100,000 values), so the code
# below counts passes: what does not depend on the mentee is precomputed per row at upsert
# ("open", "access_static", "comm_code"); what depends on the mentee only through a small
# code (zone, channels and style) is a table built for this mentee and read with one take;
# what depends on keys (skills, industries, values, languages, text) touches only the rows of
# those keys' postings.

_F32 = np.float32


@dataclass
class _Targets:
    coverage: np.ndarray | float  # mean teach credit over the mentee's targets
    exact: np.ndarray | float  # how many targets each mentor has as a skill, any level
    teachable: np.ndarray | float  # share of targets with credit above 0
    count: int


def _targets(arrays: MentorArrays, targets: Sequence[Skill], n: int) -> _Targets:
    if not targets:
        return _Targets(NEUTRAL, 0.0, NEUTRAL, 0)
    related = profiles.related_skills()
    coverage = np.zeros(n, dtype=np.float32)
    exact = np.zeros(n, dtype=np.float32)
    teachable = np.zeros(n, dtype=np.float32)
    credit = np.zeros(n, dtype=np.float32)  # scratch, zero again after each target
    for target in targets:
        touched = []
        for key in related.get(target.key, ()):
            rows = arrays.skills.get(key)
            if rows is not None:
                partial = RELATED_CREDIT * _teach_credit(arrays.skills.values[key], target.level)
                np.maximum.at(credit, rows, partial)
                touched.append(rows)
        rows = arrays.skills.get(target.key)
        if rows is not None:
            full = _teach_credit(arrays.skills.values[target.key], target.level)
            np.maximum.at(credit, rows, full)
            exact[rows] += 1
            touched.append(rows)
        for rows in touched:  # a row in two postings: credited once, then its credit is 0
            gained = credit[rows]
            coverage[rows] += gained
            teachable[rows] += gained > 0
            credit[rows] = 0
    count = len(targets)
    coverage /= _F32(count)
    teachable /= _F32(count)
    return _Targets(coverage, exact, teachable, count)


def _share_of(
    postings: _Postings, keys: Sequence[str], n: int, weights: Sequence[float] | None = None
) -> np.ndarray:
    """Per row, how many of `keys` the row has (or the sum of their weights)."""
    hits = np.zeros(n, dtype=np.float32)
    for index, key in enumerate(keys):
        rows = postings.get(key)
        if rows is not None:
            hits[rows] += _F32(1.0 if weights is None else weights[index])
    return hits


def _overlap_slots(arrays: MentorArrays, mentee: MatchProfile, as_of: datetime) -> np.ndarray:
    """Quarter hours per week the mentee shares with each row, uint16."""
    n = arrays.n_rows
    layers = availability.mentee_layers(
        mentee.weekly, mentee.timezone, arrays._zones, as_of, table=arrays.zone_table(as_of)
    )
    return availability.overlap_slots_many(arrays.masks, layers, arrays.zones_intp(), rows=n)


@cache
def _saturation_table(scale: float) -> np.ndarray:
    """1 - exp(-hours / 4) for every possible count of quarter hours (up to two layers)."""
    slots = np.arange(2 * availability.SLOTS_PER_WEEK + 1, dtype=np.float64)
    hours = slots * availability.SLOT_MINUTES / 60
    table = (scale * (1 - np.exp(-hours / OVERLAP_SCALE_HOURS))).astype(np.float32)
    table.flags.writeable = False
    return table


def _overlap_factor(
    arrays: MentorArrays, mentee: MatchProfile, as_of: datetime, scale: float = 1.0
) -> np.ndarray | float:
    """The saturating overlap (times `scale`): NEUTRAL where either side has no windows."""
    if not mentee.weekly:
        return scale * NEUTRAL
    slots = _overlap_slots(arrays, mentee, as_of)
    fit = _saturation_table(scale).take(slots)  # 0 for a mentor without windows, so:
    fit += arrays.columns["no_windows"][: arrays.n_rows] * _F32(scale * NEUTRAL)
    return fit


def _communication_table(mentee: MatchProfile) -> np.ndarray:
    """The channels and style parts of communication for every comm_code (channels bitmask
    * 5 + style code), for this mentee: float32[160]."""
    mentee_channels = _channel_bits(mentee.channels)
    style_fit = _STYLE_FIT[_style_code(mentee.style)]
    table = np.empty(32 * (len(STYLES) + 1), dtype=np.float32)
    for bits in range(32):
        if not mentee_channels or not bits:
            channels = NEUTRAL
        else:
            channels = (bits & mentee_channels).bit_count() / mentee_channels.bit_count()
        base = bits * (len(STYLES) + 1)
        table[base : base + len(STYLES) + 1] = (
            COMMUNICATION_PARTS[0] * channels + COMMUNICATION_PARTS[1] * style_fit
        )
    return table


def _eligible(
    arrays: MentorArrays,
    mentee: MatchProfile,
    program_id: uuid.UUID | None,
    excluded: Collection[uuid.UUID],
) -> np.ndarray:
    n = arrays.n_rows
    c = arrays.columns
    eligible = c["open"][:n].copy()
    if program_id is not None:
        in_program = np.zeros(n, dtype=bool)
        rows = arrays.programs.get(str(program_id))
        if rows is not None:
            in_program[rows] = True
        eligible &= in_program
    if mentee.languages:
        # A mentor who declared no language is not known to lack one (same rule as blocked_by).
        speaks = c["n_languages"][:n] == 0
        for key in mentee.languages:
            rows = arrays.languages.get(key)
            if rows is not None:
                speaks[rows] = True
        eligible &= speaks
    manager = c["manager"][:n]
    same_manager = arrays.manager_code(mentee.manager_id)
    if same_manager is not None:
        eligible &= manager != same_manager
    managed_by_mentee = arrays.manager_code(mentee.user_id)
    if managed_by_mentee is not None:
        eligible &= manager != managed_by_mentee
    blocked = [arrays.rows_of([mentee.user_id])]
    if mentee.manager_id is not None:
        blocked.append(arrays.rows_of([mentee.manager_id]))
    blocked.append(arrays.declared_against(mentee.user_id))
    blocked.append(arrays.rows_of(mentee.conflicts))
    blocked.append(arrays.rows_of(excluded))
    eligible[np.concatenate(blocked)] = False
    return eligible


def score(
    arrays: MentorArrays,
    mentee: MatchProfile,
    weights: Mapping[str, float] | None,
    *,
    as_of: datetime,
    program_id: uuid.UUID | None = None,
    excluded: Collection[uuid.UUID] = (),
) -> Scores:
    """Every row's factors, total and eligibility for this mentee."""
    vector = weights_vector(weights)
    n = arrays.n_rows
    c = arrays.columns
    factors = np.empty((len(FACTORS), n), dtype=np.float32)  # factor-major: one row a pass
    expertise, accessibility, values, communication, adaptability = factors

    # expertise: coverage of the targets, industry overlap, text relevance
    targets = mentee.targets
    covered = _targets(arrays, targets, n)
    industries = list(dict.fromkeys(mentee.industries))
    shared_industries = _share_of(arrays.industries, industries, n) if industries else None
    a, b, t = EXPERTISE_PARTS
    goals = mentee.goals_text
    if tokens(goals):
        np.multiply(arrays.text.scores(goals, n, normalised=True), _F32(t), out=expertise)
    else:
        expertise[:] = t * NEUTRAL
    if shared_industries is not None:
        expertise += shared_industries * _F32(b / len(industries))
    else:
        expertise += _F32(b * NEUTRAL)
    expertise += _F32(a) * covered.coverage

    # accessibility: places ratio and response time (precomputed), overlap, time zone distance
    offsets = arrays.zone_offsets(as_of)
    distance = np.abs(offsets - _F32(availability.utc_offset_hours(mentee.timezone, as_of))) % 24
    zone_fit = (ACCESS_PARTS[2] * (1 - np.minimum(distance, 24 - distance) / 12)).astype(np.float32)
    np.add(c["access_static"][:n], zone_fit.take(arrays.zones_intp()), out=accessibility)
    accessibility += _overlap_factor(arrays, mentee, as_of, ACCESS_PARTS[1])

    # values: the mentee's own order says what matters most to them (1, 1/2, 1/3, ...)
    values_ = list(dict.fromkeys(mentee.values))
    if values_:
        raw = [1 / (i + 1) for i in range(len(values_))]
        shared_values = _share_of(arrays.values, values_, n, [w / sum(raw) for w in raw])
        np.multiply(c["no_values"][:n], _F32(NEUTRAL), out=values)
        values += shared_values
    else:
        values[:] = NEUTRAL

    # communication: channels and style through one table, language breadth
    _communication_table(mentee).take(c["comm_code"][:n], out=communication)
    languages = _base_languages(mentee.languages)
    if languages:
        wanted = min(len(languages), 2)
        spoken = np.minimum(_share_of(arrays.languages, languages, n), _F32(wanted))
        spoken *= _F32(COMMUNICATION_PARTS[2] / wanted)
        communication += spoken
        communication += c["no_languages"][:n] * _F32(COMMUNICATION_PARTS[2] * NEUTRAL)
    else:
        communication += _F32(COMMUNICATION_PARTS[2] * NEUTRAL)

    # adaptability: openness matters in proportion to how much of what the mentee wants lies
    # outside the mentor's own skills and industries (in-core: 0.75 + 0.25 * openness; all
    # beyond: openness). A mentee who named no targets or industries: neutral, openness
    # moving it by a quarter either way.
    wants = covered.count + len(industries)
    openness = c["openness"][:n]
    if wants:
        inside = covered.exact + (shared_industries if shared_industries is not None else 0.0)
        beyond = (wants - inside) / _F32(wants)
        # (1 - beyond) * (0.75 + 0.25 o) + beyond * o = 0.75 + 0.25 o - 0.75 beyond (1 - o)
        np.multiply(beyond, (1 - openness) * _F32(-0.75), out=adaptability)
        adaptability += openness * _F32(0.25) + _F32(0.75)
    else:
        np.multiply(openness, _F32(0.5), out=adaptability)
        adaptability += _F32(NEUTRAL - 0.25)

    np.clip(factors, 0.0, 1.0, out=factors)
    total = vector @ factors
    eligible = _eligible(arrays, mentee, program_id, excluded)
    return Scores(total=total.astype(np.float32, copy=False), factors=factors.T, eligible=eligible)


def top(scores: Scores, k: int) -> list[int]:
    """The best `k` eligible rows, best total first; equal totals by row, lowest first."""
    if k <= 0:
        return []
    total, eligible = scores.total, scores.eligible
    candidates = np.zeros(0, dtype=np.intp)
    if total.size > 64 * k:
        # A threshold from a strided sample usually leaves a few dozen rows above it; exact
        # whenever at least k eligible rows clear it, else the full partition below.
        sample = np.sort(total[:: max(total.size // 2048, 1)])
        guess = sample[max(sample.size - 8 * k, 0)]
        candidates = np.flatnonzero((total >= guess) & eligible)
    if candidates.size < k:
        candidates = np.flatnonzero(eligible)
    if candidates.size == 0:
        return []
    totals = total[candidates]
    if candidates.size > k:
        threshold = np.partition(totals, candidates.size - k)[candidates.size - k]
        keep = totals >= threshold
        candidates, totals = candidates[keep], totals[keep]
    order = np.lexsort((candidates, -totals))
    return [int(row) for row in candidates[order][:k]]


def mentor_preference(arrays: MentorArrays, mentee: MatchProfile, *, as_of: datetime) -> np.ndarray:
    """Per row, how much each mentor would want this mentee by their own criteria: the share of
    the mentee's targets they can teach, how many of the mentor's values the mentee shares,
    and the weekly overlap. float32 in [0, 1]; free rows 0."""
    n = arrays.n_rows
    c = arrays.columns
    teachable = _targets(arrays, mentee.targets, n).teachable
    values = list(dict.fromkeys(mentee.values))
    n_values = c["n_values"][:n]
    if values:
        shared = _share_of(arrays.values, values, n)
        values_part = np.where(n_values > 0, shared / np.maximum(n_values, 1), _F32(NEUTRAL))
    else:
        values_part = np.full(n, NEUTRAL, dtype=np.float32)
    a, b, t = PREFERENCE_PARTS
    preference = _F32(a) * teachable + _F32(b) * values_part
    preference += _overlap_factor(arrays, mentee, as_of, t)
    return np.where(c["live"][:n], np.clip(preference, 0, 1), _F32(0)).astype(np.float32)


# -- scalar: explain and reasons ----------------------------------------------------------------


def blocked_by(
    mentee: MatchProfile,
    mentor: MatchProfile,
    *,
    program_id: uuid.UUID | None = None,
    existing: bool = False,
) -> list[str]:
    """Why this mentor may not be recommended to this mentee; [] when eligible."""
    codes = []
    if mentee.user_id == mentor.user_id:
        codes.append("same_person")
    if not mentor.active:
        codes.append("deactivated")
    if not mentor.is_mentor:
        codes.append("not_a_mentor")
    if program_id is not None and program_id not in mentor.mentor_programs:
        codes.append("not_in_program")
    if not mentor.accepting_requests:
        codes.append("not_accepting")
    if mentor.places_left <= 0:
        codes.append("full")
    if mentee.languages and mentor.languages and not set(mentee.languages) & set(mentor.languages):
        codes.append("no_shared_language")
    if _conflict_of_interest(mentee, mentor):
        codes.append("conflict_of_interest")
    if existing:
        codes.append("existing_request_or_mentorship")
    return codes


def _conflict_of_interest(mentee: MatchProfile, mentor: MatchProfile) -> bool:
    return (
        (mentee.manager_id is not None and mentee.manager_id == mentor.manager_id)
        or mentee.manager_id == mentor.user_id
        or mentor.manager_id == mentee.user_id
        or mentee.user_id in mentor.conflicts
        or mentor.user_id in mentee.conflicts
    )


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _list(names: Sequence[str]) -> str:
    return ", ".join(names)


def _hours(hours: float) -> str:
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def _expertise_reason(mentee: MatchProfile, mentor: MatchProfile) -> str:
    parts = []
    targets = mentee.targets
    levels: dict[str, int] = {}
    for skill in mentor.expertise:
        levels[skill.key] = max(levels.get(skill.key, 0), skill.level)
    if targets:
        strong = [
            target.name
            for target in targets
            if target.key in levels and _teach_credit_of(levels[target.key], target.level) >= STRONG
        ]
        if strong:
            if len(targets) == 1:
                parts.append(f"Strong in your target skill {strong[0]}")
            else:
                parts.append(
                    f"Strong in {len(strong)} of your {len(targets)} target skills: {_list(strong)}"
                )
        else:
            related = profiles.related_skills()
            names = {skill.key: skill.name for skill in mentor.expertise}
            near = [
                f"{names[key]} (close to {target.name})"
                for target in targets
                for key in sorted(related.get(target.key, ()))
                if key in names
            ]
            if near:
                parts.append(f"Knows related skills: {_list(near[:3])}")
    wanted_industries = set(mentee.industries)
    shared_industries = [
        name
        for key, name in zip(mentor.industries, mentor.industry_names, strict=False)
        if key in wanted_industries
    ]
    if shared_industries:
        parts.append(f"works in {_join(shared_industries)}")
    profile_words = set(tokens(mentor.profile_text)) if not parts else set()
    if profile_words:
        goal_words = [word for word in mentee.goals_text.split() if word]
        echoed = []
        for word in goal_words:
            clean = word.strip(".,;:!?()[]\"'")
            stems = tokens(clean)
            if stems and stems[0] in profile_words and clean.lower() not in echoed:
                echoed.append(clean.lower())
        if echoed:
            parts.append(f"Their profile speaks to your goals: {_list(echoed[:4])}")
    if not parts:
        return ""
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]


def _accessibility_reason(mentee: MatchProfile, mentor: MatchProfile, as_of: datetime) -> str:
    parts = []
    if mentee.weekly and mentor.weekly:
        hours = availability.overlap_hours(
            mentee.weekly, mentee.timezone, mentor.weekly, mentor.timezone, as_of
        )
        if hours > 0:
            parts.append(f"{_hours(hours)} h/week of shared availability")
    if mentor.capacity > 0 and mentor.places_left > 0:
        place = "place" if mentor.capacity == 1 else "places"
        parts.append(f"{mentor.places_left} of {mentor.capacity} mentee {place} left")
    if mentor.response_time_hours is not None and mentor.response_time_hours <= 48:
        parts.append(f"usually replies within {mentor.response_time_hours} h")
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:]


def _values_reason(mentee: MatchProfile, mentor: MatchProfile) -> str:
    shared = [value for value in dict.fromkeys(mentee.values) if value in set(mentor.values)]
    return f"Shares your values: {_list(shared)}" if shared else ""


def language_name(key: str) -> str:
    return LANGUAGE_NAMES.get(key, key)


def _communication_reason(mentee: MatchProfile, mentor: MatchProfile) -> str:
    parts = []
    shared = [channel for channel in mentee.channels if channel in set(mentor.channels)]
    if shared:
        parts.append(f"Both prefer {_join([CHANNEL_PHRASES.get(c, c) for c in shared])}")
    if mentee.style is not None and mentee.style == mentor.style:
        parts.append(f"both like a {mentee.style} style")
    spoken = [key for key in _base_languages(mentee.languages) if key in set(mentor.languages)]
    if spoken:
        parts.append(f"speaks {_join([language_name(key) for key in spoken])}")
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:]


def _adaptability_reason(mentee: MatchProfile, mentor: MatchProfile) -> str:
    core = {skill.key for skill in mentor.expertise} | set(mentor.industries)
    wants = {target.key for target in mentee.targets} | set(mentee.industries)
    if mentor.openness >= 0.6 and wants - core:
        return "Open to topics outside their core field"
    return ""


def reasons(
    mentee: MatchProfile,
    mentor: MatchProfile,
    factors: Mapping[str, float],
    *,
    as_of: datetime,
) -> list[str]:
    """Sentences a person can read, strongest factor first; only what is true of the pair."""
    sentences = {
        "expertise": _expertise_reason(mentee, mentor),
        "accessibility": _accessibility_reason(mentee, mentor, as_of),
        "values": _values_reason(mentee, mentor),
        "communication": _communication_reason(mentee, mentor),
        "adaptability": _adaptability_reason(mentee, mentor),
    }
    return strongest_first(sentences, factors)


def strongest_first(sentences: Mapping[str, str], factors: Mapping[str, float]) -> list[str]:
    """The factors' sentences, the strongest factor's first (ties in FACTORS order), leaving
    out the factors with nothing true to say."""
    order = sorted(FACTORS, key=lambda name: (-float(factors.get(name, 0.0)), FACTORS.index(name)))
    return [sentences[name] for name in order if sentences[name]]


def factor_map(scores: Scores, row: int) -> dict[str, float]:
    """One row's factors by name, rounded for people and JSON."""
    return {
        name: round(float(value), 4)
        for name, value in zip(FACTORS, scores.factors[row], strict=True)
        if math.isfinite(float(value))
    }

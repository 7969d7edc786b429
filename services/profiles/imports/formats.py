"""The two file formats of an import, read into one record per person. Pure: bytes in, dicts out.

Row numbers are the ones a person sees in their own file:

- JSON Lines: the line number; the first line is row 1. Blank lines are skipped but still
  counted, as every editor counts them.
- CSV: the row number a spreadsheet shows; the header is row 1, so the first person is row 2.
  A row whose cells are all empty is skipped but still counted.

`total` of an import is the number of rows that are not skipped.

JSON Lines (`Content-Type: application/x-ndjson`), UTF-8, one JSON object per line:

    {"email": "ada@example.com", "display_name": "Ada Lovelace", "roles": ["mentor"],
     "profile": {... the body of PUT /v1/profiles/me ...}}

Only `email` is required. Without `display_name` a new person is named after their email;
without `roles` (or with an empty list) a new person is a mentee and an existing one keeps
theirs; without `profile` the profile is left as it is, with one it is replaced (as PUT does).

CSV (`Content-Type: text/csv`), UTF-8 (a byte order mark is fine), comma-separated, quoted as
RFC 4180 says (a cell holding a comma, a quote or a line break is written in double quotes, a
quote inside doubled). The first row names the columns, in any order and any case. Only
`email` is required. A column name the scheme does not know, or one named twice, refuses the
whole file: a misspelt column would otherwise be dropped without anyone noticing. An empty
cell means "not given". Lists separate their items with ";".

| column | what it fills | example |
|---|---|---|
| email | the person | ada@example.com |
| display_name | the person | Ada Lovelace |
| roles | the person (list) | mentor;mentee |
| headline, bio, timezone, seniority | the same profile fields | Europe/Berlin |
| years_experience | years_experience | 15 |
| languages, industries, values | the same lists | en;pt-BR |
| skills | skills, each name:level:kind (1) | Python:5:expertise;Go:3:wants_to_learn |
| communication_channels | communication.channels (list) | video;chat |
| communication_style | communication.style | socratic |
| response_time_hours | communication.response_time_hours | 24 |
| availability_weekly | availability.weekly (2) | 1 17:00-19:00;3 08:00-09:30 |
| hours_per_month | availability.hours_per_month | 6 |
| availability_public | availability.public | false |
| mentor_capacity | mentor.capacity | 2 |
| accepting_requests | mentor.accepting_requests | true |
| mentor_openness | mentor.openness | 0.7 |
| mentee_goals | mentee.goals, titles only (list) | Lead a team;Learn Go |

(1) kind is `expertise` (the default when left out, as in `SQL:4`) or `wants_to_learn`.
(2) each window is `weekday HH:MM-HH:MM`, weekday 0 being Monday.

Booleans are true/false, yes/no or 1/0. A person has a `mentor` part when any of the three
mentor cells is filled, a `mentee` part when `mentee_goals` is. When the header names no profile
column at all, the rows create or update people and leave their profiles alone; otherwise each
row's profile is replaced by what its cells say. A skill name may contain ":" (level and kind are
read from the right) but not ";". Career history, achievements and goal details have no CSV
column: use JSON Lines for them.

A row with fewer cells than the header has columns is reported (field: the first missing
column) and not imported; so is a row with more non-empty cells than columns.
"""

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from services.core.schemas import unstorable

Format = Literal["jsonl", "csv"]

# What a client may send as Content-Type (parameters such as charset=utf-8 aside).
MEDIA_TYPES: Final[dict[str, Format]] = {
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
    "text/csv": "csv",
}

LIST_SEPARATOR: Final = ";"
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_WINDOW = re.compile(r"^(\S+)\s+(\S+?)\s*-\s*(\S+)$")
_BOM: Final = b"\xef\xbb\xbf"


class FileError(ValueError):
    """The file as a whole cannot be read (not UTF-8, no usable CSV header, ...)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row; `row` None is a problem of the whole file."""

    row: int | None
    field: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


class CellError(ValueError):
    pass


Record = dict[str, Any]
Loc = Sequence[str | int]


class RowParser(Protocol):
    """Reads one raw row; small and picklable, so rows can be checked in another process."""

    @property
    def text_cells(self) -> bool:
        """Whether values arrive as text to be read as numbers and booleans (CSV cells), not
        typed as the API's JSON bodies are (JSON Lines, checked as strictly as the API)."""
        ...

    def parse(self, row: int, raw: Any) -> Record | list[RowError]:
        """A raw row as the JSON Lines record it stands for, or why it cannot be one."""
        ...

    def describe(self, loc: Loc) -> tuple[str, str]:
        """A validation error's location as the file's author names it: (field, prefix of
        the message, e.g. "item 2, level: ")."""
        ...


class ImportFile(Protocol):
    format: Format
    parser: RowParser

    def rows(self) -> Iterator[tuple[int, Any]]:
        """(row number, raw row) of every row that is not skipped, in file order."""
        ...


def open_file(fmt: str, source: bytes) -> ImportFile:
    if fmt == "jsonl":
        return JsonLinesFile(source)
    if fmt == "csv":
        return CsvFile(source)
    raise FileError(f"unknown format {fmt!r}")


def _shown(name: str) -> str:
    """A name from the file as a message quotes it: the message is stored with the import,
    so a character the database cannot store is written as an escape."""
    return repr(name) if unstorable(name) else name


def _check_utf8(source: bytes) -> str:
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(
            f"the file is not UTF-8 text (byte {exc.start + 1} cannot be read); "
            "save or export it as UTF-8"
        ) from exc


# --- JSON Lines --------------------------------------------------------------------------------


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# What one line may hold. A person is at most five levels deep (profile.mentee.goals[0].
# target_skills[0]) and no field takes a number of more than a few digits; past these bounds
# a line is a row error before the parser spends the stack or the CPU on it (Python refuses
# integers of more than 4,300 digits with a ValueError of its own, and nests only as deep as
# its recursion limit).
MAX_JSON_DEPTH: Final = 64
MAX_NUMBER_CHARACTERS: Final = 40
_JSON_STRUCTURE: Final = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class _Unbounded(ValueError):
    pass


def _too_deep(line: bytes) -> bool:
    if line.count(b"[") + line.count(b"{") <= MAX_JSON_DEPTH:
        return False  # the common case, at the speed of bytes.count
    depth = 0
    for token in _JSON_STRUCTURE.finditer(line):
        symbol = token.group()
        if symbol in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif symbol in (b"]", b"}"):
            depth -= 1
    return False


def _bounded_number(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise _Unbounded(f"a number has more than {MAX_NUMBER_CHARACTERS} characters")
    return float(text) if any(c in text for c in ".eE") else int(text)


class JsonLinesParser:
    text_cells = False

    def parse(self, row: int, raw: bytes) -> Record | list[RowError]:
        if _too_deep(raw):
            return [RowError(row, None, f"nested more than {MAX_JSON_DEPTH} levels deep")]
        try:
            value = json.loads(raw, parse_int=_bounded_number, parse_float=_bounded_number)
        except json.JSONDecodeError as exc:
            return [RowError(row, None, f"not valid JSON: {exc.msg} (column {exc.colno})")]
        except _Unbounded as exc:
            return [RowError(row, None, str(exc))]
        except (ValueError, RecursionError) as exc:  # what the bounds above do not foresee
            return [RowError(row, None, f"not valid JSON ({type(exc).__name__})")]
        if not isinstance(value, dict):
            return [RowError(row, None, 'expected a JSON object: {"email": ..., ...}')]
        return value

    def describe(self, loc: Loc) -> tuple[str, str]:
        return _dotted(loc), ""


class JsonLinesFile:
    format: Format = "jsonl"

    def __init__(self, source: bytes) -> None:
        _check_utf8(source)
        self.source = source[len(_BOM) :] if source.startswith(_BOM) else source
        self.parser: RowParser = JsonLinesParser()

    def rows(self) -> Iterator[tuple[int, bytes]]:
        source = self.source
        number = 0
        start = 0
        while start < len(source):
            end = source.find(b"\n", start)
            if end < 0:
                end = len(source)
            number += 1
            line = source[start:end]
            if line.strip():
                yield number, line
            start = end + 1


# --- CSV ---------------------------------------------------------------------------------------

CellKind = Literal["text", "list", "skills", "weekly", "goals"]


@dataclass(frozen=True, slots=True)
class Column:
    path: tuple[str, ...]
    kind: CellKind = "text"


COLUMNS: Final[dict[str, Column]] = {
    "email": Column(("email",)),
    "display_name": Column(("display_name",)),
    "roles": Column(("roles",), "list"),
    "headline": Column(("profile", "headline")),
    "bio": Column(("profile", "bio")),
    "timezone": Column(("profile", "timezone")),
    "seniority": Column(("profile", "seniority")),
    "years_experience": Column(("profile", "years_experience")),
    "languages": Column(("profile", "languages"), "list"),
    "industries": Column(("profile", "industries"), "list"),
    "values": Column(("profile", "values"), "list"),
    "skills": Column(("profile", "skills"), "skills"),
    "communication_channels": Column(("profile", "communication", "channels"), "list"),
    "communication_style": Column(("profile", "communication", "style")),
    "response_time_hours": Column(("profile", "communication", "response_time_hours")),
    "availability_weekly": Column(("profile", "availability", "weekly"), "weekly"),
    "hours_per_month": Column(("profile", "availability", "hours_per_month")),
    "availability_public": Column(("profile", "availability", "public")),
    "mentor_capacity": Column(("profile", "mentor", "capacity")),
    "accepting_requests": Column(("profile", "mentor", "accepting_requests")),
    "mentor_openness": Column(("profile", "mentor", "openness")),
    "mentee_goals": Column(("profile", "mentee", "goals"), "goals"),
}
_COLUMN_BY_PATH: Final = {column.path: name for name, column in COLUMNS.items()}


def split_list(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def parse_skills(cell: str) -> list[dict[str, str]]:
    """`Python:5:expertise;Go:3:wants_to_learn` into skill entries (levels and kinds still
    text, checked by the profile rules like any other input)."""
    skills = []
    for item in split_list(cell):
        parts = [part.strip() for part in item.split(":")]
        if len(parts) >= 3 and _INTEGER.match(parts[-2]):
            name, level, kind = ":".join(parts[:-2]), parts[-2], parts[-1]
        elif len(parts) >= 2 and _INTEGER.match(parts[-1]):
            name, level, kind = ":".join(parts[:-1]), parts[-1], "expertise"
        else:
            raise CellError(
                f"{item!r}: write each skill as name:level:kind, e.g. Python:5:expertise"
            )
        skills.append({"name": name, "level": level, "kind": kind})
    return skills


def format_skills(skills: Sequence[dict[str, Any]]) -> str:
    """The inverse of `parse_skills`, for writing a CSV."""
    return LIST_SEPARATOR.join(f"{s['name']}:{s['level']}:{s['kind']}" for s in skills)


def _parse_weekly(cell: str) -> list[dict[str, str]]:
    windows = []
    for item in split_list(cell):
        match = _WINDOW.match(item)
        if match is None:
            raise CellError(
                f"{item!r}: write each window as weekday HH:MM-HH:MM, e.g. 1 17:00-19:00"
            )
        weekday, start, end = match.groups()
        windows.append({"weekday": weekday, "start": start, "end": end})
    return windows


def _convert(kind: CellKind, cell: str) -> Any:
    if kind == "list":
        return split_list(cell)
    if kind == "skills":
        return parse_skills(cell)
    if kind == "weekly":
        return _parse_weekly(cell)
    if kind == "goals":
        return [{"title": title} for title in split_list(cell)]
    return cell


def _set(record: Record, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        record = record.setdefault(key, {})
    record[path[-1]] = value


@dataclass(frozen=True, slots=True)
class _Unreadable:
    message: str


class CsvFile:
    format: Format = "csv"

    def __init__(self, source: bytes) -> None:
        self.text = _check_utf8(source)
        try:
            header = next(self._reader(), None)
        except csv.Error as exc:  # e.g. a quote left open: the whole file is one broken cell
            raise FileError(f"the header row cannot be read as CSV: {exc}") from exc
        if header is None or not any(cell.strip() for cell in header):
            raise FileError("the file has no header row naming its columns")
        columns = [cell.strip().lower() for cell in header]
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            raise FileError(
                f"unknown columns: {', '.join(map(_shown, unknown))}; "
                f"known columns: {', '.join(COLUMNS)}"
            )
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        if repeated:
            raise FileError(f"columns named twice: {', '.join(repeated)}")
        if "email" not in columns:
            raise FileError("the header has no email column")
        has_profile = any(COLUMNS[c].path[0] == "profile" for c in columns)
        self.parser: RowParser = CsvRowParser(columns, has_profile)

    def _reader(self) -> Iterator[list[str]]:
        # strict: a stray quote is reported on its row instead of silently joining cells.
        return csv.reader(io.StringIO(self.text, newline=""), strict=True)

    def rows(self) -> Iterator[tuple[int, list[str] | _Unreadable]]:
        reader = self._reader()
        next(reader)
        number = 1
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield number, _Unreadable(f"the row cannot be read as CSV: {exc}")
                continue
            if any(cell.strip() for cell in cells):
                yield number, cells


@dataclass(frozen=True, slots=True)
class CsvRowParser:
    columns: list[str]
    has_profile: bool
    text_cells = True

    def parse(self, row: int, raw: list[str] | _Unreadable) -> Record | list[RowError]:
        if isinstance(raw, _Unreadable):
            return [RowError(row, None, raw.message)]
        width = len(self.columns)
        if len(raw) < width:
            return [
                RowError(
                    row,
                    self.columns[len(raw)],
                    f"missing cell: the row has {len(raw)} of the header's {width} columns",
                )
            ]
        if any(cell.strip() for cell in raw[width:]):
            return [RowError(row, None, f"the row has {len(raw)} cells; the header names {width}")]
        record: Record = {"profile": {}} if self.has_profile else {}
        errors: list[RowError] = []
        for name, cell in zip(self.columns, raw, strict=False):
            value = cell.strip()
            if not value:
                continue
            column = COLUMNS[name]
            try:
                _set(record, column.path, _convert(column.kind, value))
            except CellError as exc:
                errors.append(RowError(row, name, str(exc)))
        return errors or record

    def describe(self, loc: Loc) -> tuple[str, str]:
        for length in range(len(loc), 0, -1):
            name = _COLUMN_BY_PATH.get(tuple(str(part) for part in loc[:length]))
            if name is not None:
                rest = loc[length:]
                prefix = ""
                if rest and isinstance(rest[0], int):
                    prefix = f"item {rest[0] + 1}"
                    rest = rest[1:]
                if rest:
                    prefix += (", " if prefix else "") + _dotted(rest)
                return name, f"{prefix}: " if prefix else ""
        return _dotted(loc), ""


def csv_cells(record: Record) -> dict[str, str]:
    """A JSON Lines record as CSV cells by column name (the inverse of reading, for writing
    CSV). Parts the CSV scheme has no column for are left out."""
    cells: dict[str, str] = {}
    for name, column in COLUMNS.items():
        value: Any = record
        for key in column.path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            continue
        if column.kind == "list":
            cells[name] = LIST_SEPARATOR.join(str(item) for item in value)
        elif column.kind == "skills":
            cells[name] = format_skills(value)
        elif column.kind == "weekly":
            cells[name] = LIST_SEPARATOR.join(
                f"{w['weekday']} {w['start']}-{w['end']}" for w in value
            )
        elif column.kind == "goals":
            cells[name] = LIST_SEPARATOR.join(goal["title"] for goal in value)
        elif isinstance(value, bool):
            cells[name] = "true" if value else "false"
        else:
            cells[name] = str(value)
    return cells

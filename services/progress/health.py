"""The health of a mentorship: a score 0-100, the risk flags with the evidence that raised them
and a next step, and the strengths that keep it going.

Pure: `Facts` (what happened, as of `facts.now`) and the program's `Thresholds` in, a `Health`
out; the caller reads the facts and passes the time. The flags follow the guide's "Overcoming
challenges" (domain.md, "Health and risk flags"); the strengths its "Building a mutually
beneficial relationship". One flag per kind; its severity is the highest of the signs that
raised it, and its evidence and suggestion gather every one of them.

Each kind, with what raises it at each severity (defaults in `Thresholds`):

- time_constraints. Warning: `missed_count` meetings missed, cancelled or rescheduled in the
  last `missed_window_days`, or held meetings under `held_share_of_cadence` of those the
  cadence plans there (once it plans two). Critical: twice `missed_count` such meetings, or
  none held where two or more were planned.
- misaligned_goals. Info: some active goals outside the mentor's expertise. Warning: an active
  goal's progress flat across `flat_evaluations` evaluation periods, a goal-fit rating of
  `low_rating` or less, or every active goal outside the expertise. Critical: a goal-fit
  rating of 1.
- communication_barriers. Warning: a communication rating of `low_rating` or less, or the two
  sides' ratings of one period `rating_gap` or more points apart. Critical: a communication
  rating of 1.
- lack_of_engagement. Info: held meetings falling, the last `frequency_window_days` under
  `falling_share` of the window before. Warning: no held meeting or check-in for
  `silence_cadences` cadences, or `unanswered_requests` evaluation requests unanswered after
  `request_grace_days`. Critical: no contact for `critical_silence_cadences` cadences.
- evaluation_overdue. Warning: no evaluation for longer than the evaluation interval.
  Critical: none for `critical_overdue_intervals` intervals.

Ratings are read from each side's latest evaluation (latest period, then latest submission),
so a better evaluation clears what a worse one raised. A check-in from either side counts as
contact: the guide counts a written update toward communicating regularly.

Score: `100 - penalty + min(2 * strengths, penalty // 2)`, clamped to 0-100, where penalty is
the sum over flags of 5 (info), 15 (warning) or 30 (critical). A strength gives back a little,
never more than half of what the flags took, so a flagged mentorship never reads 100; and more
or worse flags never raise the score.

The sentences are in this module, not a data file: each one is built from the evidence it
quotes (counts, dates, a goal's title, singular or plural), so a template file would need its
own little language, and a placeholder out of step with the code would only fail at run time,
where here mypy and the tests read every one.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal
from uuid import UUID

Side = Literal["mentee", "mentor"]
MeetingStatus = Literal["scheduled", "held", "missed", "cancelled", "rescheduled"]
GoalStatus = Literal["active", "achieved", "dropped"]
Severity = Literal["info", "warning", "critical"]
FlagKind = Literal[
    "time_constraints",
    "misaligned_goals",
    "communication_barriers",
    "lack_of_engagement",
    "evaluation_overdue",
]
KINDS: Final[tuple[FlagKind, ...]] = (
    "time_constraints",
    "misaligned_goals",
    "communication_barriers",
    "lack_of_engagement",
    "evaluation_overdue",
)
SIDES: Final[tuple[Side, ...]] = ("mentee", "mentor")
RATINGS: Final = ("communication", "engagement", "time_commitment", "goal_fit", "overall")
DEFAULT_CADENCE_DAYS: Final = 14
DEFAULT_EVALUATION_INTERVAL_DAYS: Final = 30  # as the tenant's evaluation policy

PENALTY: Final[dict[Severity, int]] = {"info": 5, "warning": 15, "critical": 30}
STRENGTH_POINTS: Final = 2
_RANK: Final[dict[Severity, int]] = {"info": 0, "warning": 1, "critical": 2}
_NOT_HELD: Final = ("missed", "cancelled", "rescheduled")
# A share of planned meetings means little while the cadence plans a single one; a first
# meeting that has not happened yet is lack_of_engagement's silence, not a pattern.
_MIN_PLANNED_FOR_SHARE: Final = 2
# Falling frequency compares counts: from one meeting to none is silence, not a trend.
_MIN_PREVIOUS_HELD: Final = 2
_MIN_CHECK_INS_FOR_STRENGTH: Final = 2
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


@dataclass(frozen=True, slots=True)
class Meeting:
    starts_at: datetime
    status: MeetingStatus


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A written update between meetings."""

    at: datetime
    by: Side


@dataclass(frozen=True, slots=True)
class Milestone:
    achieved_on: date
    goal_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    id: UUID
    title: str
    status: GoalStatus = "active"
    progress: int = 0  # 0-100
    last_revised_at: datetime | None = None
    in_mentor_expertise: bool | None = None  # None: not known (no skill to compare)


@dataclass(frozen=True, slots=True)
class Evaluation:
    period_start: date
    by: Side
    submitted_at: datetime
    ratings: Mapping[str, int] = field(default_factory=dict)  # RATINGS, each 1-5, any missing
    goal_progress: Mapping[UUID, int] = field(default_factory=dict)  # 0-100


@dataclass(frozen=True, slots=True)
class EvaluationRequest:
    requested_at: datetime
    by: Side  # the side asked
    answered: bool


@dataclass(frozen=True, slots=True)
class Facts:
    now: datetime
    started_at: datetime
    cadence_interval_days: int | None = None  # None: DEFAULT_CADENCE_DAYS
    evaluation_interval_days: int = DEFAULT_EVALUATION_INTERVAL_DAYS
    meetings: Sequence[Meeting] = ()
    check_ins: Sequence[CheckIn] = ()
    milestones: Sequence[Milestone] = ()
    goals: Sequence[Goal] = ()
    evaluations: Sequence[Evaluation] = ()
    evaluation_requests: Sequence[EvaluationRequest] = ()


class InvalidThresholds(ValueError):
    """A program's overrides name a threshold with a value of the wrong type or range."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When each flag is raised (the defaults are domain.md's); a program overrides any of them."""

    # time_constraints
    missed_window_days: int = 60
    missed_count: int = 2
    held_share_of_cadence: float = 0.5
    # misaligned_goals
    flat_evaluations: int = 2
    # misaligned_goals (goal fit) and communication_barriers
    low_rating: int = 2
    rating_gap: int = 2
    # lack_of_engagement
    silence_cadences: float = 2.0
    critical_silence_cadences: float = 3.0
    frequency_window_days: int = 60
    falling_share: float = 0.75
    unanswered_requests: int = 2
    request_grace_days: int = 7
    # evaluation_overdue
    critical_overdue_intervals: float = 2.0
    # strengths: what counts as recent
    strength_window_days: int = 60

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.type is int and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidThresholds(f"{spec.name} must be a whole number, not {value!r}")
            if spec.type is float and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise InvalidThresholds(f"{spec.name} must be a number, not {value!r}")
            if value <= 0:
                raise InvalidThresholds(f"{spec.name} must be more than 0, not {value!r}")
        for name in ("held_share_of_cadence", "falling_share"):
            if getattr(self, name) > 1:
                raise InvalidThresholds(f"{name} is a share: at most 1")
        if self.low_rating > 5 or self.rating_gap > 4:
            raise InvalidThresholds("ratings are 1-5: low_rating at most 5, rating_gap at most 4")

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, object]) -> "Thresholds":
        """The defaults with a program's overrides (stored as JSON). Keys that name no
        threshold are ignored, so a setting written by a newer or older release still loads; a
        known key with a value of the wrong type or out of range raises InvalidThresholds."""
        known: dict[str, Any] = {
            spec.name: overrides[spec.name] for spec in fields(cls) if spec.name in overrides
        }
        return replace(cls(), **known)


@dataclass(frozen=True, slots=True)
class Flag:
    kind: FlagKind
    severity: Severity
    evidence: dict[str, Any]  # JSON-ready: ISO dates, counts, ratings
    suggestion: str


@dataclass(frozen=True, slots=True)
class Health:
    score: int  # 0-100
    flags: list[Flag]  # in KINDS order
    strengths: list[str]


def assess(facts: Facts, thresholds: Thresholds = Thresholds()) -> Health:
    """The health of the mentorship as of `facts.now`; the same facts in any order give the same
    health. Anything dated after `now` is not counted yet."""
    view = _View.of(facts)
    signs: dict[FlagKind, list[_Sign]] = {
        "time_constraints": _time_constraints(view, thresholds),
        "misaligned_goals": _misaligned_goals(view, thresholds),
        "communication_barriers": _communication_barriers(view, thresholds),
        "lack_of_engagement": _lack_of_engagement(view, thresholds),
        "evaluation_overdue": _evaluation_overdue(view, thresholds),
    }
    flags = [_flag(kind, found) for kind in KINDS if (found := signs[kind])]
    strengths = _strengths(view, thresholds, {flag.kind for flag in flags})
    penalty = sum(PENALTY[flag.severity] for flag in flags)
    score = 100 - penalty + min(STRENGTH_POINTS * len(strengths), penalty // 2)
    return Health(score=max(0, min(100, score)), flags=flags, strengths=strengths)


def at_risk_kinds(health: Health) -> set[str]:
    """The kinds flagged at warning or above: an info flag is an early sign, worth showing but
    not worth announcing a mentorship at risk."""
    return {flag.kind for flag in health.flags if flag.severity != "info"}


def flag_changes(before: set[str], after: set[str]) -> tuple[list[str], list[str]]:
    """(raised, cleared) between two assessments' flag kinds, each sorted, so the events
    (`mentorship.at_risk`, `mentorship.recovered`) are emitted once per change and read the
    same however the sets were built."""
    return sorted(after - before), sorted(before - after)


# --- the facts, sorted once ---------------------------------------------------------------


def _evaluation_order(evaluation: Evaluation) -> tuple[Any, ...]:
    """A total order: the latest period, then the latest submission; the contents only break
    ties, so two evaluations submitted at the same instant never depend on input order."""
    return (
        evaluation.period_start,
        evaluation.submitted_at,
        evaluation.by,
        sorted(evaluation.ratings.items()),
        sorted((str(goal), value) for goal, value in evaluation.goal_progress.items()),
    )


@dataclass(frozen=True, slots=True)
class _View:
    now: datetime
    today: date
    started_at: datetime
    cadence: int
    evaluation_interval: int
    meetings: list[Meeting]  # up to now, by time
    contacts: list[datetime]  # held meetings and check-ins up to now, by time
    check_ins: list[CheckIn]  # up to now, by time
    milestones: list[Milestone]  # up to today
    active_goals: list[Goal]  # by title
    evaluations: list[Evaluation]  # submitted up to now, oldest first
    latest: dict[Side, Evaluation]  # each side's latest
    requests: list[EvaluationRequest]  # up to now, by time

    @classmethod
    def of(cls, facts: Facts) -> "_View":
        now = facts.now
        meetings = sorted(
            (meeting for meeting in facts.meetings if meeting.starts_at <= now),
            key=lambda meeting: (meeting.starts_at, meeting.status),
        )
        check_ins = sorted(
            (check_in for check_in in facts.check_ins if check_in.at <= now),
            key=lambda check_in: (check_in.at, check_in.by),
        )
        contacts = sorted(
            [meeting.starts_at for meeting in meetings if meeting.status == "held"]
            + [check_in.at for check_in in check_ins]
        )
        evaluations = sorted(
            (evaluation for evaluation in facts.evaluations if evaluation.submitted_at <= now),
            key=_evaluation_order,
        )
        latest = {evaluation.by: evaluation for evaluation in evaluations}
        goals = sorted(facts.goals, key=lambda goal: (goal.title, str(goal.id)))
        return cls(
            now=now,
            today=now.date(),
            started_at=facts.started_at,
            cadence=facts.cadence_interval_days or DEFAULT_CADENCE_DAYS,
            evaluation_interval=facts.evaluation_interval_days,
            meetings=meetings,
            contacts=contacts,
            check_ins=check_ins,
            milestones=[m for m in facts.milestones if m.achieved_on <= now.date()],
            active_goals=[goal for goal in goals if goal.status == "active"],
            evaluations=evaluations,
            latest=latest,
            requests=sorted(
                (r for r in facts.evaluation_requests if r.requested_at <= now),
                key=lambda r: (r.requested_at, r.by, r.answered),
            ),
        )

    def held_between(self, start: datetime, end: datetime) -> int:
        """Held meetings in (start, end]."""
        return sum(
            1
            for meeting in self.meetings
            if meeting.status == "held" and start < meeting.starts_at <= end
        )

    def days_since(self, moment: datetime) -> float:
        return (self.now - moment) / timedelta(days=1)

    def day(self, moment: date | datetime) -> str:
        """A date as a person reads it: "12 Mar", with the year when it is not this one."""
        on = moment.date() if isinstance(moment, datetime) else moment
        text = f"{on.day} {_MONTHS[on.month - 1]}"
        return text if on.year == self.today.year else f"{text} {on.year}"


# --- signs and flags ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sign:
    severity: Severity
    evidence: dict[str, Any]
    sentence: str


def _flag(kind: FlagKind, signs: list[_Sign]) -> Flag:
    evidence: dict[str, Any] = {}
    for sign in signs:
        evidence.update(sign.evidence)
    return Flag(
        kind=kind,
        severity=max((sign.severity for sign in signs), key=_RANK.__getitem__),
        evidence=evidence,
        suggestion=" ".join(sign.sentence for sign in signs),
    )


def _plural(count: int, word: str) -> str:
    """ "1 meeting", "3 meetings", "no meetings"."""
    return f"{count or 'no'} {word if count == 1 else word + 's'}"


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _planned(view: _View, rules: Thresholds) -> tuple[int, int]:
    """(days, meetings): the span of the recent window the mentorship has run, and how many
    meetings its cadence plans in it."""
    days = max(0, min(rules.missed_window_days, math.floor(view.days_since(view.started_at))))
    return days, days // view.cadence


def _time_constraints(view: _View, rules: Thresholds) -> list[_Sign]:
    signs = []
    since = view.now - timedelta(days=rules.missed_window_days)
    recent = [meeting for meeting in view.meetings if meeting.starts_at > since]
    not_held = [meeting for meeting in recent if meeting.status in _NOT_HELD]
    if len(not_held) >= rules.missed_count:
        logged = sum(1 for meeting in recent if meeting.status != "scheduled")
        counts = {status: sum(1 for m in not_held if m.status == status) for status in _NOT_HELD}
        quoted = _listed([f"{m.status} {view.day(m.starts_at)}" for m in not_held[-4:]])
        signs.append(
            _Sign(
                "critical" if len(not_held) >= 2 * rules.missed_count else "warning",
                {
                    "window_days": rules.missed_window_days,
                    "not_held": len(not_held),
                    **counts,
                    "not_held_on": [m.starts_at.date().isoformat() for m in not_held],
                },
                (
                    f"All {logged} meetings"
                    if logged == len(not_held)
                    else f"{len(not_held)} of the {logged} meetings"
                )
                + f" of the last {rules.missed_window_days} days did not happen as planned"
                f"{' (latest: ' if len(not_held) > 4 else ' ('}{quoted}): agree a fixed slot you "
                f"both protect, or move to a 30-minute call every {2 * view.cadence} days that "
                "you can keep.",
            )
        )
    days, planned = _planned(view, rules)
    if planned >= _MIN_PLANNED_FOR_SHARE:
        held = view.held_between(view.now - timedelta(days=days), view.now)
        if held < rules.held_share_of_cadence * planned:
            signs.append(
                _Sign(
                    "critical" if held == 0 else "warning",
                    {
                        "held": held,
                        "planned": planned,
                        "held_window_days": days,
                        "cadence_days": view.cadence,
                    },
                    f"{_plural(held, 'meeting').capitalize()} held in the last {days} days where a "
                    f"{view.cadence}-day cadence plans {planned}: put the dates of the next "
                    "two meetings in both calendars now, or agree a cadence you can keep.",
                )
            )
    return signs


def _misaligned_goals(view: _View, rules: Thresholds) -> list[_Sign]:
    signs = []
    fit = {
        side: rating
        for side, evaluation in view.latest.items()
        if (rating := evaluation.ratings.get("goal_fit")) is not None and rating <= rules.low_rating
    }
    if fit:
        sides = sorted(fit)
        said = _listed([f"the {side} rated goal fit {fit[side]} of 5" for side in sides])
        signs.append(
            _Sign(
                "critical" if min(fit.values()) == 1 else "warning",
                {"goal_fit_ratings": {side: fit[side] for side in sides}},
                f"In the latest evaluation {said}: spend the next meeting on the goals alone, "
                "and rewrite each so that it names what you will see when it is reached.",
            )
        )
    flat = _flat_goals(view, rules)
    if flat:
        goal, run = flat[0]
        periods = _listed([view.day(period) for period, _ in run])
        more = (
            f" ({len(flat) - 1} more goal{'s' if len(flat) > 2 else ''} too)"
            if len(flat) > 1
            else ""
        )
        signs.append(
            _Sign(
                "warning",
                {
                    "flat_goals": [
                        {
                            "goal_id": str(g.id),
                            "title": g.title,
                            "periods": [period.isoformat() for period, _ in r],
                            "progress": [value for _, value in r],
                        }
                        for g, r in flat
                    ]
                },
                f"'{goal.title}' has not moved past {run[0][1]}% over the evaluations of "
                f"{periods}{more}: revise it together, splitting off a step you can finish "
                "before the next evaluation, or drop it for one that matters now.",
            )
        )
    outside = [goal for goal in view.active_goals if goal.in_mentor_expertise is False]
    if outside:
        titles = _listed([f"'{goal.title}'" for goal in outside])
        every = len(outside) == len(view.active_goals)
        signs.append(
            _Sign(
                "warning" if every else "info",
                {
                    "goals_outside_expertise": [
                        {"goal_id": str(goal.id), "title": goal.title} for goal in outside
                    ],
                    "active_goals": len(view.active_goals),
                },
                f"{titles} {'is' if len(outside) == 1 else 'are'} outside the mentor's expertise: "
                "ask them to introduce someone in their network who knows "
                f"{'it' if len(outside) == 1 else 'these'}"
                + (
                    ", and agree together which goal this mentorship is for."
                    if every
                    else ", and keep your meetings for the goals they can guide."
                ),
            )
        )
    return signs


def _flat_goals(view: _View, rules: Thresholds) -> list[tuple[Goal, list[tuple[date, int]]]]:
    """Active goals whose progress, as the evaluations report it, has not risen over their last
    `flat_evaluations` periods. A period's progress is the higher of the two sides' reports; a
    goal revised since the first of those periods is left out, since progress against another
    definition of it is not comparable (and revising it is what the suggestion asks)."""
    flat = []
    for goal in view.active_goals:
        by_period: dict[date, tuple[int, datetime]] = {}
        for evaluation in view.evaluations:
            value = evaluation.goal_progress.get(goal.id)
            if value is None:
                continue
            known = by_period.get(evaluation.period_start)
            by_period[evaluation.period_start] = (
                (value, evaluation.submitted_at)
                if known is None
                else (max(known[0], value), max(known[1], evaluation.submitted_at))
            )
        if len(by_period) < rules.flat_evaluations:
            continue
        run = sorted(by_period.items())[-rules.flat_evaluations :]
        first_submitted = run[0][1][1]
        if goal.last_revised_at is not None and goal.last_revised_at > first_submitted:
            continue
        progress = [(period, value) for period, (value, _) in run]
        if progress[-1][1] <= progress[0][1] < 100:
            flat.append((goal, progress))
    return flat


def _communication_barriers(view: _View, rules: Thresholds) -> list[_Sign]:
    signs = []
    low = {
        side: (rating, evaluation.period_start)
        for side, evaluation in view.latest.items()
        if (rating := evaluation.ratings.get("communication")) is not None
        and rating <= rules.low_rating
    }
    if low:
        sides = sorted(low)
        said = _listed(
            [
                f"the {side} rated communication {low[side][0]} of 5 for the period from "
                f"{view.day(low[side][1])}"
                for side in sides
            ]
        )
        signs.append(
            _Sign(
                "critical" if min(rating for rating, _ in low.values()) == 1 else "warning",
                {"communication_ratings": {side: low[side][0] for side in sides}},
                f"{said[0].upper()}{said[1:]}: open the next meeting with each of you saying what "
                "you need more or less of, and agree how you reach each other between meetings.",
            )
        )
    mentee, mentor = view.latest.get("mentee"), view.latest.get("mentor")
    if mentee and mentor and mentee.period_start == mentor.period_start:
        apart = {
            name: {"mentee": mentee.ratings[name], "mentor": mentor.ratings[name]}
            for name in RATINGS
            if name in mentee.ratings
            and name in mentor.ratings
            and abs(mentee.ratings[name] - mentor.ratings[name]) >= rules.rating_gap
        }
        if apart:
            said = _listed(
                [
                    f"{name.replace('_', ' ')} {pair['mentee']} by the mentee and "
                    f"{pair['mentor']} by the mentor"
                    for name, pair in apart.items()
                ]
            )
            signs.append(
                _Sign(
                    "warning",
                    {"period_start": mentee.period_start.isoformat(), "ratings_apart": apart},
                    f"You see the period from {view.day(mentee.period_start)} differently "
                    f"({said}): read each other's evaluation before the next meeting and "
                    "talk through where you differ.",
                )
            )
    return signs


def _lack_of_engagement(view: _View, rules: Thresholds) -> list[_Sign]:
    signs = []
    last = view.contacts[-1] if view.contacts else None
    silent = view.days_since(last or view.started_at)
    if silent >= rules.silence_cadences * view.cadence:
        days = math.floor(silent)
        since = f"since {view.day(last)}" if last else "since the mentorship started"
        signs.append(
            _Sign(
                "critical"
                if silent >= rules.critical_silence_cadences * view.cadence
                else "warning",
                {
                    "last_contact_on": last.date().isoformat() if last else None,
                    "days_without_contact": days,
                    "cadence_days": view.cadence,
                },
                f"No meeting or check-in for {days} days ({since}) where you agreed to meet "
                f"every {view.cadence}: send a short check-in this week, say what you want from "
                "the next meeting, and book it.",
            )
        )
    window = timedelta(days=rules.frequency_window_days)
    if view.now - view.started_at >= 2 * window:
        recent = view.held_between(view.now - window, view.now)
        previous = view.held_between(view.now - 2 * window, view.now - window)
        if previous >= _MIN_PREVIOUS_HELD and recent < rules.falling_share * previous:
            signs.append(
                _Sign(
                    "info",
                    {
                        "held_recent": recent,
                        "held_previous": previous,
                        "frequency_window_days": rules.frequency_window_days,
                    },
                    f"{_plural(recent, 'meeting').capitalize()} held in the last "
                    f"{rules.frequency_window_days} days against {previous} in the "
                    f"{rules.frequency_window_days} before: ask each other what has changed, "
                    "and agree the dates of the next two meetings.",
                )
            )
    due = view.now - timedelta(days=rules.request_grace_days)
    unanswered = [r for r in view.requests if not r.answered and r.requested_at <= due]
    if len(unanswered) >= rules.unanswered_requests:
        by_side = {side: [r for r in unanswered if r.by == side] for side in SIDES}
        said = _listed(
            [
                f"the {side} has {_plural(len(asked), 'evaluation request')} unanswered "
                f"({_listed([view.day(r.requested_at) for r in asked])})"
                for side, asked in by_side.items()
                if asked
            ]
        )
        signs.append(
            _Sign(
                "warning",
                {
                    "unanswered_requests": {side: len(asked) for side, asked in by_side.items()},
                    "unanswered_requested_on": [
                        r.requested_at.date().isoformat() for r in unanswered
                    ],
                },
                f"{said[0].upper()}{said[1:]}: answer the latest one this week; it takes ten "
                "minutes and tells your partner what is working.",
            )
        )
    return signs


def _evaluation_overdue(view: _View, rules: Thresholds) -> list[_Sign]:
    # The latest submission, whichever period it was for: a late one for an old period still
    # shows the two of them evaluating.
    last = max((evaluation.submitted_at for evaluation in view.evaluations), default=None)
    waited = view.days_since(last or view.started_at)
    if waited <= view.evaluation_interval:
        return []
    days = math.floor(waited)
    since = f"since {view.day(last)}" if last else "since the mentorship started"
    return [
        _Sign(
            "critical"
            if waited > rules.critical_overdue_intervals * view.evaluation_interval
            else "warning",
            {
                "last_evaluation_on": last.date().isoformat() if last else None,
                "days_since_evaluation": days,
                "interval_days": view.evaluation_interval,
            },
            f"No evaluation for {days} days ({since}) where the program asks for one every "
            f"{view.evaluation_interval}: each of you fill in this period's evaluation before "
            "your next meeting, and compare them together.",
        )
    ]


# --- strengths ----------------------------------------------------------------------------


def _strengths(view: _View, rules: Thresholds, flagged: Iterable[FlagKind]) -> list[str]:
    flagged = set(flagged)
    found = []
    days, planned = _planned(view, rules)
    held = view.held_between(view.now - timedelta(days=days), view.now)
    if planned >= 1 and held >= planned and "time_constraints" not in flagged:
        found.append(
            f"Meetings are regular: {held} held in the last {days} days on a "
            f"{view.cadence}-day cadence."
        )
    window = rules.strength_window_days
    shared = [m for m in view.milestones if (view.today - m.achieved_on).days <= window]
    if shared:
        found.append(f"{_plural(len(shared), 'milestone')} shared in the last {window} days.")
    since = view.now - timedelta(days=window)
    revised = [
        goal
        for goal in view.active_goals
        if goal.last_revised_at is not None and since <= goal.last_revised_at <= view.now
    ]
    if revised:
        found.append(
            f"Goals reviewed recently: {_plural(len(revised), 'goal')} revised in the last "
            f"{window} days."
        )
    mentee, mentor = view.latest.get("mentee"), view.latest.get("mentor")
    if (
        mentee
        and mentor
        and mentee.period_start == mentor.period_start
        and "evaluation_overdue" not in flagged
    ):
        found.append(f"Both of you evaluated the period from {view.day(mentee.period_start)}.")
    check_ins = [c for c in view.check_ins if c.at > since]
    if len(check_ins) >= _MIN_CHECK_INS_FOR_STRENGTH:
        found.append(f"{len(check_ins)} written check-ins in the last {window} days.")
    return found

"""A cohort run's computation, pure: score every mentee against the program's mentors, keep each
mentee's best eligible candidates, solve the assignment, and explain each pair chosen.

No I/O: the job (`services.matching.tasks`) loads the people and writes what this returns, in
a worker thread, so the event loop keeps writing the run's heartbeat meanwhile. `progress` is
called with the share done (0 to `COMPUTE_SHARE`); it may raise to stop the computation (the
run was taken over), which is why it is called often and nothing here holds a resource.
"""

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

import numpy as np

from services.matching import assignment, scoring
from services.matching.features import FACTORS, MatchProfile

Mode = Literal["optimal", "greedy", "stable"]

# Candidates kept per mentee. The solver is exact on this graph; with 40 of each mentee's best
# eligible mentors it is within 0.01 % of the optimum over all pairs (bench/matching_assignment).
TOP_K: Final = 40
# How the run's progress divides: scoring is most of the time (one vectorised pass per mentee),
# then the solve, then the reasons; the job's writes take the rest up to 1.
SCORING_SHARE: Final = 0.6
SOLVE_SHARE: Final = 0.15
REASONS_SHARE: Final = 0.15
COMPUTE_SHARE: Final = SCORING_SHARE + SOLVE_SHARE + REASONS_SHARE
# Progress is reported every this many mentees scored or explained (and at the end).
REPORT_EVERY: Final = 64


@dataclass(frozen=True, slots=True)
class Pair:
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    score: float
    factors: dict[str, float]
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class Outcome:
    pairs: list[Pair]  # best score first
    stats: dict[str, float | int] = field(default_factory=dict)


def _plain(value: Any) -> float | int:
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    return float(value)


def compute(
    mentees: list[MatchProfile],
    mentors: list[MatchProfile],
    mode: Mode,
    weights: Mapping[str, float],
    *,
    as_of: datetime,
    program_id: uuid.UUID | None = None,
    existing: Mapping[uuid.UUID, Collection[uuid.UUID]] | None = None,
    top_k: int = TOP_K,
    progress: Callable[[float], None] = lambda _share: None,
) -> Outcome:
    """Match `mentees` to `mentors` (each mentor up to the places they have left)."""
    existing = existing or {}
    arrays = scoring.MentorArrays()
    arrays.upsert(mentors)
    by_row: dict[int, MatchProfile] = {}
    for mentor in mentors:
        row = arrays.row_of(mentor.user_id)
        if row is not None:
            by_row[row] = mentor
    n_rows = max(by_row, default=-1) + 1
    capacity = np.zeros(n_rows, dtype=np.int32)
    for row, mentor in by_row.items():
        capacity[row] = mentor.places_left

    edge_mentee: list[np.ndarray] = []
    edge_mentor: list[np.ndarray] = []
    edge_score: list[np.ndarray] = []
    edge_factors: list[np.ndarray] = []
    edge_rank: list[np.ndarray] = []
    for index, mentee in enumerate(mentees):
        if index % REPORT_EVERY == 0:
            progress(SCORING_SHARE * index / max(len(mentees), 1))
        if not by_row:
            break
        scores = scoring.score(
            arrays,
            mentee,
            weights,
            as_of=as_of,
            program_id=program_id,
            excluded=existing.get(mentee.user_id, ()),
        )
        rows = np.flatnonzero(scores.eligible[:n_rows])
        if rows.size == 0:
            continue
        if rows.size > top_k:
            best = np.argpartition(-scores.total[rows], top_k - 1)[:top_k]
            rows = rows[best]
        edge_mentee.append(np.full(rows.size, index, dtype=np.int32))
        edge_mentor.append(rows.astype(np.int32))
        edge_score.append(scores.total[rows].astype(np.float64))
        edge_factors.append(scores.factors[rows].astype(np.float32))
        if mode == "stable":
            preference = scoring.mentor_preference(arrays, mentee, as_of=as_of)
            edge_rank.append(np.asarray(preference, dtype=np.float64)[rows])
    progress(SCORING_SHARE)

    def joined(parts: list[np.ndarray], dtype: Any, width: int = 0) -> np.ndarray:
        if parts:
            return np.concatenate(parts).astype(dtype, copy=False)
        return np.zeros((0, width) if width else 0, dtype=dtype)

    candidates = assignment.Candidates(
        mentee=joined(edge_mentee, np.int32),
        mentor=joined(edge_mentor, np.int32),
        score=np.clip(joined(edge_score, np.float64), 0.0, 1.0),
        n_mentees=len(mentees),
        n_mentors=n_rows,
        capacity=capacity,
        mentor_rank=joined(edge_rank, np.float64) if mode == "stable" else None,
    )
    factors = joined(edge_factors, np.float32, len(FACTORS))

    def solving(share: float) -> None:
        progress(SCORING_SHARE + SOLVE_SHARE * min(max(share, 0.0), 1.0))

    solved = assignment.solve(mode, candidates, progress=solving)
    progress(SCORING_SHARE + SOLVE_SHARE)

    chosen = sorted(
        (int(edge) for edge in solved.pairs),
        key=lambda edge: (-candidates.score[edge], str(mentees[candidates.mentee[edge]].user_id)),
    )
    pairs: list[Pair] = []
    for done, edge in enumerate(chosen):
        if done % REPORT_EVERY == 0:
            progress(SCORING_SHARE + SOLVE_SHARE + REASONS_SHARE * done / len(chosen))
        mentee = mentees[int(candidates.mentee[edge])]
        mentor = by_row[int(candidates.mentor[edge])]
        pair_factors = {
            name: round(float(value), 6) for name, value in zip(FACTORS, factors[edge], strict=True)
        }
        pairs.append(
            Pair(
                mentee_id=mentee.user_id,
                mentor_id=mentor.user_id,
                score=round(float(candidates.score[edge]), 6),
                factors=pair_factors,
                reasons=scoring.reasons(mentee, mentor, pair_factors, as_of=as_of),
            )
        )
    progress(COMPUTE_SHARE)

    stats = {key: _plain(value) for key, value in solved.stats.items()}
    stats["mentees"] = len(mentees)
    stats["mentors"] = len(arrays)
    stats["candidates"] = int(candidates.mentee.size)
    return Outcome(pairs, stats)

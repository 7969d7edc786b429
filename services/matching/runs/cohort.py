"""A cohort run's computation: score every mentee against the program's mentors, keep each
mentee's best eligible candidates, solve the assignment, and explain each pair chosen.

No I/O: the job (`services.matching.tasks`) loads the people and writes what this returns; it
calls `compute` in a worker thread, so the event loop keeps writing the run's heartbeat. A large
cohort is scored and explained in other processes (`processes`), a chunk of mentees at a time:
scoring is one vectorised pass over the mentors per mentee, most of a run's time, and the chunks
are independent. `progress` is called with the share done (0 to `COMPUTE_SHARE`); it may raise
to stop the computation (the run was taken over), which is why it is called often.
"""

import multiprocessing
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from services.matching import assignment, scoring
from services.matching.features import FACTORS, MatchProfile

Mode = Literal["optimal", "greedy", "stable"]
Progress = Callable[[float], None]

# How the run's progress divides: scoring is most of the time, then the solve, then the
# reasons; the job's writes take the rest up to 1.
SCORING_SHARE: Final = 0.6
SOLVE_SHARE: Final = 0.15
REASONS_SHARE: Final = 0.15
COMPUTE_SHARE: Final = SCORING_SHARE + SOLVE_SHARE + REASONS_SHARE
# Progress is reported every this many mentees scored or pairs explained, in one process.
REPORT_EVERY: Final = 64
# Mentees (or pairs) per chunk sent to another process: 2.5 % of a 20,000-mentee run, so
# progress moves in small steps, yet each chunk is seconds of work next to its pickling.
CHUNK: Final = 500


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


@dataclass(frozen=True, slots=True)
class Edges:
    """Candidate pairs of some mentees: indices into the run's mentee and mentor lists."""

    mentee: npt.NDArray[np.int32]
    mentor: npt.NDArray[np.int32]
    score: npt.NDArray[np.float64]
    factors: npt.NDArray[np.float32]  # edges x 5, in FACTORS order
    rank: npt.NDArray[np.float64] | None  # the mentor's preference (stable mode)

    @staticmethod
    def join(parts: Sequence["Edges"], ranked: bool) -> "Edges":
        if not parts:
            empty = np.zeros(0)
            return Edges(
                empty.astype(np.int32),
                empty.astype(np.int32),
                empty,
                np.zeros((0, len(FACTORS)), dtype=np.float32),
                empty if ranked else None,
            )
        return Edges(
            np.concatenate([p.mentee for p in parts]),
            np.concatenate([p.mentor for p in parts]),
            np.concatenate([p.score for p in parts]),
            np.concatenate([p.factors for p in parts]),
            np.concatenate([p.rank for p in parts if p.rank is not None]) if ranked else None,
        )


class Mentors:
    """The program's mentors as scoring needs them, built once per process."""

    def __init__(self, mentors: Sequence[MatchProfile]) -> None:
        self.profiles = list(mentors)
        self.arrays = scoring.MentorArrays()
        self.arrays.upsert(self.profiles)
        position = {mentor.user_id: index for index, mentor in enumerate(self.profiles)}
        # Row of the arrays -> index in `profiles` (-1: a row that is no mentor of ours).
        rows = [
            (row, position[mentor.user_id])
            for mentor in self.profiles
            if (row := self.arrays.row_of(mentor.user_id)) is not None
        ]
        size = max((row for row, _ in rows), default=-1) + 1
        self.index_of_row = np.full(size, -1, dtype=np.int32)
        for row, index in rows:
            self.index_of_row[row] = index

    def __len__(self) -> int:
        return len(self.arrays)

    def capacity(self) -> npt.NDArray[np.int32]:
        """Places each mentor has left; none for a profile the arrays do not hold."""
        places = np.zeros(len(self.profiles), dtype=np.int32)
        for index in self.index_of_row[self.index_of_row >= 0]:
            places[index] = self.profiles[index].places_left
        return places


@dataclass(frozen=True, slots=True)
class Scoring:
    """What scoring a mentee needs besides the mentee and the mentors (sent to each process)."""

    mode: Mode
    weights: Mapping[str, float]
    as_of: datetime
    program_id: uuid.UUID | None
    top_k: int
    per_mentor: int


class MentorPools:
    """Each mentor's `per_mentor` best mentees so far, with the pairs' factors (and the
    mentor's own preference, for stable mode), by row of the mentor arrays. The mentor side of
    the candidate graph: when many mentees share their favourite mentors, their own top-K
    leaves the other mentors' places unreachable (see `assignment.candidates_from_scores`,
    whose selection this is, keeping the factors of the pairs it keeps)."""

    def __init__(self, rows: int, per_mentor: int, ranked: bool) -> None:
        self.score = np.full((rows, per_mentor), -np.inf)
        self.mentee = np.full((rows, per_mentor), -1, dtype=np.int32)
        self.factors = np.zeros((rows, per_mentor, len(FACTORS)), dtype=np.float32)
        self.rank = np.zeros((rows, per_mentor)) if ranked else None
        self._worst = np.zeros(rows, dtype=np.int64)  # each row's lowest slot
        self._floor = np.full(rows, -np.inf)  # and its score: what a new mentee must beat

    def offer(
        self,
        mentee: int,
        total: npt.NDArray[np.float64],
        factors: npt.NDArray[np.float32],
        rank: npt.NDArray[np.float64] | None,
        eligible: npt.NDArray[np.bool_],
    ) -> None:
        """One mentee's scores against every row: kept where they beat a row's worst."""
        if self.score.shape[1] == 0:
            return
        better = np.flatnonzero(eligible & (total > self._floor))
        if better.size == 0:
            return
        slots = self._worst[better]
        self.score[better, slots] = total[better]
        self.mentee[better, slots] = mentee
        self.factors[better, slots] = factors[better]
        if self.rank is not None and rank is not None:
            self.rank[better, slots] = rank[better]
        worst = self.score[better].argmin(axis=1)
        self._worst[better] = worst
        self._floor[better] = self.score[better, worst]

    def merge(self, other: "MentorPools") -> None:
        """Keep, per row, the best of both pools (pools of different mentees' chunks)."""
        per_mentor = self.score.shape[1]
        score = np.hstack([self.score, other.score])
        keep = (
            np.argpartition(-score, per_mentor - 1, axis=1)[:, :per_mentor]
            if per_mentor
            else np.zeros((score.shape[0], 0), dtype=np.int64)
        )
        self.score = np.take_along_axis(score, keep, axis=1)
        self.mentee = np.take_along_axis(np.hstack([self.mentee, other.mentee]), keep, axis=1)
        factors = np.concatenate([self.factors, other.factors], axis=1)
        self.factors = np.take_along_axis(factors, keep[:, :, None], axis=1)
        if self.rank is not None and other.rank is not None:
            self.rank = np.take_along_axis(np.hstack([self.rank, other.rank]), keep, axis=1)
        if per_mentor:
            self._worst = self.score.argmin(axis=1)
            self._floor = self.score[np.arange(self.score.shape[0]), self._worst]

    def edges(self, index_of_row: npt.NDArray[np.int32]) -> Edges:
        row, slot = np.nonzero(np.isfinite(self.score))
        return Edges(
            self.mentee[row, slot],
            index_of_row[row],
            np.clip(self.score[row, slot], 0.0, 1.0),
            self.factors[row, slot],
            None if self.rank is None else self.rank[row, slot],
        )


def score_mentees(
    mentors: Mentors,
    mentees: Sequence[MatchProfile],
    first: int,
    job: Scoring,
    existing: Mapping[uuid.UUID, Collection[uuid.UUID]],
    progress: Progress | None = None,
) -> tuple[Edges, MentorPools]:
    """Each mentee's best `top_k` eligible mentors, and each mentor's best `per_mentor` of
    these mentees (mentee indices count from `first`)."""
    parts: list[Edges] = []
    size = len(mentors.index_of_row)
    ours = mentors.index_of_row >= 0
    ranked = job.mode == "stable"
    pools = MentorPools(size, job.per_mentor, ranked)
    for offset, mentee in enumerate(mentees):
        if progress is not None and offset % REPORT_EVERY == 0:
            progress(offset / max(len(mentees), 1))
        if size == 0:
            break
        scores = scoring.score(
            mentors.arrays,
            mentee,
            job.weights,
            as_of=job.as_of,
            program_id=job.program_id,
            excluded=existing.get(mentee.user_id, ()),
        )
        eligible = np.asarray(scores.eligible[:size], dtype=bool) & ours
        rows = np.flatnonzero(eligible)
        if rows.size == 0:
            continue
        total = np.asarray(scores.total[:size], dtype=np.float64)
        factors = np.asarray(scores.factors[:size], dtype=np.float32)
        rank = None
        if ranked:
            preference = scoring.mentor_preference(mentors.arrays, mentee, as_of=job.as_of)
            rank = np.asarray(preference[:size], dtype=np.float64)
        pools.offer(first + offset, total, factors, rank, eligible)
        if rows.size > job.top_k:
            rows = rows[np.argpartition(-total[rows], job.top_k - 1)[: job.top_k]]
        parts.append(
            Edges(
                np.full(rows.size, first + offset, dtype=np.int32),
                mentors.index_of_row[rows],
                np.clip(total[rows], 0.0, 1.0),
                factors[rows],
                None if rank is None else rank[rows],
            )
        )
    return Edges.join(parts, ranked), pools


def candidate_edges(
    mentors: Mentors, mentee_side: Edges, pools: MentorPools, ranked: bool
) -> Edges:
    """Both sides' edges, each pair once."""
    both = Edges.join([mentee_side, pools.edges(mentors.index_of_row)], ranked)
    key = both.mentee.astype(np.int64) * max(len(mentors.profiles), 1) + both.mentor
    _, first = np.unique(key, return_index=True)
    return Edges(
        both.mentee[first],
        both.mentor[first],
        both.score[first],
        both.factors[first],
        None if both.rank is None else both.rank[first],
    )


def explain(
    mentors: Mentors,
    pairs: Sequence[tuple[MatchProfile, int, dict[str, float]]],
    as_of: datetime,
    progress: Progress | None = None,
) -> list[list[str]]:
    """The reasons of each (mentee, mentor index, factors)."""
    explained = []
    for done, (mentee, mentor, factors) in enumerate(pairs):
        if progress is not None and done % REPORT_EVERY == 0:
            progress(done / max(len(pairs), 1))
        explained.append(scoring.reasons(mentee, mentors.profiles[mentor], factors, as_of=as_of))
    return explained


# The mentors of the run a process serves, set once when the process starts.
_process_mentors: Mentors | None = None


def _start_process(mentors: Sequence[MatchProfile]) -> None:
    global _process_mentors
    _process_mentors = Mentors(mentors)


def _score_chunk(
    mentees: Sequence[MatchProfile],
    first: int,
    job: Scoring,
    existing: Mapping[uuid.UUID, Collection[uuid.UUID]],
) -> tuple[Edges, MentorPools]:
    assert _process_mentors is not None
    return score_mentees(_process_mentors, mentees, first, job, existing)


def _explain_chunk(
    pairs: Sequence[tuple[MatchProfile, int, dict[str, float]]], as_of: datetime
) -> list[list[str]]:
    assert _process_mentors is not None
    return explain(_process_mentors, pairs, as_of)


def _chunks(count: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, count, size):
        yield start, min(start + size, count)


def _gathered(futures: dict[Future[Any], int], progress: Progress) -> dict[int, Any]:
    """Each future's result by its key, reporting the share done as they complete."""
    results: dict[int, Any] = {}
    for future in as_completed(futures):
        results[futures[future]] = future.result()
        progress(len(results) / len(futures))
    return results


def compute(
    mentees: list[MatchProfile],
    mentors: list[MatchProfile],
    mode: Mode,
    weights: Mapping[str, float],
    *,
    as_of: datetime,
    program_id: uuid.UUID | None = None,
    existing: Mapping[uuid.UUID, Collection[uuid.UUID]] | None = None,
    top_k: int = assignment.DEFAULT_K,
    per_mentor: int = assignment.DEFAULT_PER_MENTOR,
    processes: int = 1,
    chunk: int = CHUNK,
    progress: Progress = lambda _share: None,
) -> Outcome:
    """Match `mentees` to `mentors` (each mentor up to the places they have left), scoring and
    explaining in `processes` other processes when more than one."""
    existing = existing or {}
    job = Scoring(mode, weights, as_of, program_id, top_k, per_mentor)
    own = Mentors(mentors)
    pool = None
    if processes > 1 and mentees and len(own):
        # spawn, not fork: the parent holds sockets, an event loop and threads.
        pool = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_process,
            initargs=(mentors,),
        )
    try:
        edges = _score(own, mentees, job, existing, pool, chunk, progress)
        candidates = assignment.Candidates(
            mentee=edges.mentee,
            mentor=edges.mentor,
            score=edges.score,
            n_mentees=len(mentees),
            n_mentors=len(mentors),
            capacity=own.capacity(),
            mentor_rank=edges.rank,
        )

        def solving(share: float) -> None:
            progress(SCORING_SHARE + SOLVE_SHARE * min(max(share, 0.0), 1.0))

        solved = assignment.solve(mode, candidates, progress=solving)
        progress(SCORING_SHARE + SOLVE_SHARE)
        chosen = sorted(
            (int(edge) for edge in solved.pairs),
            key=lambda edge: (-edges.score[edge], str(mentees[edges.mentee[edge]].user_id)),
        )
        to_explain = [
            (
                mentees[int(edges.mentee[edge])],
                int(edges.mentor[edge]),
                {
                    name: round(float(value), 6)
                    for name, value in zip(FACTORS, edges.factors[edge], strict=True)
                },
            )
            for edge in chosen
        ]
        reasons = _explain(own, to_explain, as_of, pool, chunk, progress)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    progress(COMPUTE_SHARE)
    pairs = [
        Pair(
            mentee_id=mentee.user_id,
            mentor_id=mentors[mentor].user_id,
            score=round(float(edges.score[edge]), 6),
            factors=factors,
            reasons=explained,
        )
        for edge, (mentee, mentor, factors), explained in zip(
            chosen, to_explain, reasons, strict=True
        )
    ]
    stats: dict[str, float | int] = {key: _plain(value) for key, value in solved.stats.items()}
    stats |= {"mentees": len(mentees), "mentors": len(own), "candidates": int(edges.score.size)}
    return Outcome(pairs, stats)


def _score(
    own: Mentors,
    mentees: list[MatchProfile],
    job: Scoring,
    existing: Mapping[uuid.UUID, Collection[uuid.UUID]],
    pool: ProcessPoolExecutor | None,
    chunk: int,
    progress: Progress,
) -> Edges:
    def scored(share: float) -> None:
        progress(SCORING_SHARE * share)

    ranked = job.mode == "stable"
    if pool is None:
        mentee_side, pools = score_mentees(own, mentees, 0, job, existing, scored)
    else:
        futures = {
            pool.submit(
                _score_chunk,
                mentees[start:end],
                start,
                job,
                _existing_of(mentees[start:end], existing),
            ): start
            for start, end in _chunks(len(mentees), chunk)
        }
        parts = _gathered(futures, scored)
        ordered = [parts[start] for start in sorted(parts)]
        mentee_side = Edges.join([edges for edges, _ in ordered], ranked)
        pools = ordered[0][1]
        for _, more in ordered[1:]:
            pools.merge(more)
    edges = candidate_edges(own, mentee_side, pools, ranked)
    scored(1.0)
    return edges


def _existing_of(
    mentees: Sequence[MatchProfile], existing: Mapping[uuid.UUID, Collection[uuid.UUID]]
) -> dict[uuid.UUID, Collection[uuid.UUID]]:
    return {m.user_id: existing[m.user_id] for m in mentees if m.user_id in existing}


def _explain(
    own: Mentors,
    pairs: list[tuple[MatchProfile, int, dict[str, float]]],
    as_of: datetime,
    pool: ProcessPoolExecutor | None,
    chunk: int,
    progress: Progress,
) -> list[list[str]]:
    def explained(share: float) -> None:
        progress(SCORING_SHARE + SOLVE_SHARE + REASONS_SHARE * share)

    if pool is None or len(pairs) <= chunk:
        return explain(own, pairs, as_of, explained)
    futures = {
        pool.submit(_explain_chunk, pairs[start:end], as_of): start
        for start, end in _chunks(len(pairs), chunk)
    }
    parts = _gathered(futures, explained)
    return [reasons for start in sorted(parts) for reasons in parts[start]]


def _plain(value: Any) -> float | int:
    if isinstance(value, bool | np.bool_ | int | np.integer):
        return int(value)
    return float(value)

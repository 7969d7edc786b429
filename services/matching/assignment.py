"""Cohort assignment: which mentee goes to which mentor, over a sparse candidate graph.

Pure: numpy and OR-tools in, arrays and numbers out. The caller (the run job) builds the graph,
conflicts of interest and ineligible pairs already left out and every mentor's capacity already
reduced by the mentees they have: from each mentee's top-K eligible mentors, best with
`candidates_from_scores`, which adds each mentor's own best mentees (see there why).

Three modes:
- `optimal`: as many mentees matched as the graph allows, then the highest total score (a min-cost
  flow), then a fairness pass that raises the lowest score as far as it can without matching fewer.
- `greedy`: the best remaining pair first; the baseline the others are measured against.
- `stable`: mentee-proposing deferred acceptance (hospitals/residents): no mentee and mentor who
  would both rather have each other than what they got.

Scores become integer costs for the flow: `round(score * SCALE)`. Each edge's rounding error is at
most 0.5 / SCALE, and an assignment uses at most one edge per matched mentee, so the rounded total
of any assignment matching k mentees is within k * 0.5 / SCALE of its true total; the optimum
value therefore moves by at most n * 0.5e-6, and the assignment the flow picks is within
n * 1e-6 of the true optimum (both errors can stack: 0.02 on 20,000 mentees, a 2e-6 relative
change on a total near 10,000, far below any figure we report).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow  # type: ignore[import-untyped]

SCALE = 1_000_000
# Candidate graph sizes: each mentee's best K mentors, each mentor's best mentees (the benchmark
# measures what these give against the exact optimum over all pairs).
DEFAULT_K = 30
DEFAULT_PER_MENTOR = 20
Mode = Literal["optimal", "greedy", "stable"]
MODES: tuple[Mode, ...] = ("optimal", "greedy", "stable")
Progress = Callable[[float], None]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidates:
    """The sparse candidate graph: one edge per (mentee, eligible mentor) pair."""

    mentee: npt.NDArray[np.int32]  # edge -> mentee index (0..n_mentees-1)
    mentor: npt.NDArray[np.int32]  # edge -> mentor index (0..n_mentors-1)
    score: FloatArray  # in [0, 1]: the mentee-side total score of the pair
    n_mentees: int
    n_mentors: int
    capacity: npt.NDArray[np.int32]  # per mentor: places remaining; 0 allowed
    mentor_rank: FloatArray | None = None  # per edge: the mentor's own preference (stable mode)

    @property
    def n_edges(self) -> int:
        return int(self.mentee.shape[0])


@dataclass(frozen=True)
class Assignment:
    pairs: IntArray  # edge indices chosen: each mentee at most once, each mentor <= capacity
    stats: dict[str, float | int]


def solve(mode: Mode, c: Candidates, **kw: Any) -> Assignment:
    if mode == "optimal":
        return optimal(c, **kw)
    if mode == "greedy":
        return greedy(c, **kw)
    if mode == "stable":
        return stable(c, **kw)
    raise ValueError(f"unknown assignment mode {mode!r}; expected one of {MODES}")


# --- the candidate graph ------------------------------------------------------------------------


def candidates_from_scores(
    blocks: Iterable[tuple[int, FloatArray]],
    *,
    n_mentees: int,
    capacity: npt.NDArray[np.int32],
    k: int = DEFAULT_K,
    per_mentor: int = DEFAULT_PER_MENTOR,
) -> Candidates:
    """The candidate graph from score blocks: each mentee's `k` best mentors, plus each mentor's
    `per_mentor` best mentees.

    `blocks` yields (first mentee index, scores of those mentees against every mentor), NaN where
    the pair is not eligible; blocks keep memory bounded, only the kept edges are stored. Mentors
    without a place left get no edges, so no mentee spends a candidate on them.

    Why the mentor side: when scores share a mentor-quality part, every mentee's top-K is the same
    popular mentors, and a mentee-only top-K leaves most places unreachable (on the benchmark's
    5,000 x 1,000, K=30 alone matches 2,348 where 2,987 can be: 19 % below the exact total). Each
    mentor's own best mentees restore them (K=10 with 20 per mentor is exact there).
    """
    n_mentors = int(capacity.shape[0])
    open_mentor = capacity > 0
    keys: list[IntArray] = []
    values: list[FloatArray] = []
    # Each mentor's best mentees so far, one row per mentor, merged block by block.
    mentor_best = np.full((n_mentors, 0), -np.inf)
    mentor_best_mentee = np.zeros((n_mentors, 0), dtype=np.int64)
    for first, block in blocks:
        scores = np.where(open_mentor & ~np.isnan(block), block, -np.inf)
        mentees = np.arange(first, first + scores.shape[0], dtype=np.int64)
        if k > 0 and n_mentors:
            top = _best(scores, k)
            keys.append((mentees[:, None] * n_mentors + top).ravel())
            values.append(np.take_along_axis(scores, top, axis=1).ravel())
        if per_mentor > 0 and n_mentors:
            by_mentor = np.ascontiguousarray(scores.T)  # rows are mentors: a fast partition
            top = _best(by_mentor, per_mentor)
            pool = np.hstack([mentor_best, np.take_along_axis(by_mentor, top, axis=1)])
            pool_mentee = np.hstack([mentor_best_mentee, first + top])
            keep = _best(pool, per_mentor)
            mentor_best = np.take_along_axis(pool, keep, axis=1)
            mentor_best_mentee = np.take_along_axis(pool_mentee, keep, axis=1)
    if per_mentor > 0 and n_mentors:
        keys.append((mentor_best_mentee * n_mentors + np.arange(n_mentors)[:, None]).ravel())
        values.append(mentor_best.ravel())
    key = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
    score = np.concatenate(values) if values else np.empty(0)
    eligible = np.isfinite(score)
    key, first_seen = np.unique(key[eligible], return_index=True)
    return Candidates(
        mentee=(key // max(n_mentors, 1)).astype(np.int32),
        mentor=(key % max(n_mentors, 1)).astype(np.int32),
        score=score[eligible][first_seen].astype(np.float64),
        n_mentees=n_mentees,
        n_mentors=n_mentors,
        capacity=capacity,
    )


def _best(scores: FloatArray, count: int) -> IntArray:
    """Column indices of each row's `count` highest scores (all columns if there are fewer)."""
    if scores.shape[1] <= count:
        return np.broadcast_to(np.arange(scores.shape[1]), scores.shape).astype(np.int64)
    return np.argpartition(-scores, count - 1, axis=1)[:, :count].astype(np.int64)


# --- optimal ------------------------------------------------------------------------------------


def optimal(
    c: Candidates, *, fairness: bool = True, progress: Progress | None = None
) -> Assignment:
    """Most mentees matched, then the highest total; with `fairness`, then the highest minimum
    score that still matches as many, and the highest total above that minimum.

    `bound` is the optimum of the flow on this graph (the b-matching LP is integral, so the flow's
    optimum is the LP bound, exact up to rounding), widened by the rounding slack so it is a proven
    upper bound on the true total of any assignment of this graph that matches as many.
    """
    _check(c)
    report = progress or _ignore
    report(0.0)
    usable = _usable_edges(c)
    chosen, rounded_total = _max_flow_min_cost(c, usable)
    matched = int(chosen.shape[0])
    before_total = float(c.score[chosen].sum())
    before_min = float(c.score[chosen].min()) if matched else 0.0
    report(0.5)
    floor = 0.0
    if fairness and matched:
        floor = _fairness_floor(c, usable, matched, before_min, report)
        if floor > before_min:
            # The plain optimum uses only edges >= its own minimum, so at a floor equal to it the
            # plain optimum is also the best total above the floor: a second solve only when
            # the floor rose.
            fair, _ = _max_flow_min_cost(c, usable[c.score[usable] >= floor])
            if fair.shape[0] != matched:  # the floor was probed feasible at this count
                raise RuntimeError("the fairness pass matched fewer mentees than the optimum")
            chosen = fair
    bound = rounded_total / SCALE + matched * 0.5 / SCALE
    stats = _stats(c, chosen)
    total = float(stats["total_score"])
    stats.update(
        bound=bound,
        gap=(bound - total) / bound if bound > 0 else 0.0,
        fairness_floor=floor,
        total_before_fairness=before_total,
        min_before_fairness=before_min,
    )
    report(1.0)
    return Assignment(pairs=chosen, stats=stats)


def _usable_edges(c: Candidates) -> IntArray:
    """Edges to a mentor with a place left; the others can never be chosen."""
    return np.flatnonzero(c.capacity[c.mentor] > 0).astype(np.int64)


def _network(
    c: Candidates, edges: IntArray
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], IntArray, int, int]:
    """Arcs source -> mentee (1), mentee -> mentor (1 per edge), mentor -> sink (places left).
    The edge arcs come first, so arc i is `edges[i]`."""
    n, m = c.n_mentees, c.n_mentors
    source, sink = n + m, n + m + 1
    tails = np.concatenate(
        [c.mentee[edges], np.full(n, source), np.arange(n, n + m)], dtype=np.int32
    )
    heads = np.concatenate([c.mentor[edges] + n, np.arange(n), np.full(m, sink)], dtype=np.int32)
    capacities = np.concatenate(
        [np.ones(edges.shape[0] + n, dtype=np.int64), c.capacity.astype(np.int64)]
    )
    return tails, heads, capacities, source, sink


def _max_flow_min_cost(c: Candidates, edges: IntArray) -> tuple[IntArray, int]:
    """The edges of a maximum matching of highest total (rounded) score, and that total."""
    if edges.shape[0] == 0:
        return np.empty(0, dtype=np.int64), 0
    tails, heads, capacities, source, sink = _network(c, edges)
    costs = np.zeros(tails.shape[0], dtype=np.int64)
    costs[: edges.shape[0]] = -np.rint(c.score[edges] * SCALE).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_nodes_supplies(
        np.array([source, sink], dtype=np.int32), np.array([c.n_mentees, -c.n_mentees])
    )
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended {status}")
    used = np.asarray(flow.flows(np.arange(edges.shape[0], dtype=np.int32))) > 0
    return edges[used], -int(flow.optimal_cost())


def _max_matching_size(c: Candidates, edges: IntArray) -> int:
    if edges.shape[0] == 0:
        return 0
    tails, heads, capacities, source, sink = _network(c, edges)
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(tails, heads, capacities)
    status = flow.solve(source, sink)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"max flow ended {status}")
    return int(flow.optimal_flow())


def _fairness_floor(
    c: Candidates, usable: IntArray, matched: int, known_feasible: float, report: Progress
) -> float:
    """The highest t such that the edges scoring >= t still match `matched` mentees.

    Binary search over the distinct edge scores between the plain optimum's minimum (feasible by
    construction) and a cheap upper limit no matching of that size can exceed (`_floor_limit`);
    each probe is one max flow."""
    scores = c.score[usable]
    limit = _floor_limit(c, usable, matched)
    levels = np.unique(scores[(scores >= known_feasible) & (scores <= limit)])
    if levels.shape[0] <= 1:
        return known_feasible

    def feasible(level: int) -> bool:
        return _max_matching_size(c, usable[scores >= levels[level]]) >= matched

    # The limit is often the floor itself (a mentor whose places can only be filled by its few
    # candidates decides it): one probe settles that before the search.
    lo, hi = 0, levels.shape[0] - 1  # levels[lo] is feasible; nothing above levels[hi] is
    probes = 1 + int(np.ceil(np.log2(hi - lo + 1)))
    done = 1
    if feasible(hi):
        return float(levels[hi])
    hi -= 1
    report(0.5 + 0.4 / probes)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if feasible(mid):
            lo = mid
        else:
            hi = mid - 1
        done += 1
        report(min(0.9, 0.5 + 0.4 * done / probes))
    return float(levels[lo])


def _floor_limit(c: Candidates, usable: IntArray, matched: int) -> float:
    """An upper limit on the fairness floor, from two counts a matching of `matched` mentees needs
    above its floor: that many mentees with an edge there, and that many places, where a mentor
    offers at most min(places, edges there) of them."""
    if matched == 0:
        return 0.0
    scores = c.score[usable]
    mentees = c.mentee[usable]
    best = np.full(c.n_mentees, -1.0)
    np.maximum.at(best, mentees, scores)
    mentee_limit = float(np.sort(best)[-matched])
    mentors = c.mentor[usable]
    by_score = np.argsort(-scores)
    order = by_score[np.argsort(mentors[by_score], kind="stable")]  # by mentor, best first
    sorted_mentors = mentors[order]
    starts = np.flatnonzero(np.r_[True, sorted_mentors[1:] != sorted_mentors[:-1]])
    group_sizes = np.diff(np.r_[starts, sorted_mentors.shape[0]])
    rank = np.arange(sorted_mentors.shape[0]) - np.repeat(starts, group_sizes)
    # A mentor with c places contributes its c best edges at most.
    offered = scores[order][rank < c.capacity[sorted_mentors]]
    if offered.shape[0] < matched:
        return mentee_limit
    place_limit = float(np.sort(offered)[-matched])
    return min(mentee_limit, place_limit)


# --- greedy -------------------------------------------------------------------------------------


def greedy(c: Candidates, *, progress: Progress | None = None) -> Assignment:
    """Pairs by score, best first (ties: lower mentee, then lower mentor index), each taken if the
    mentee is still free and the mentor has a place."""
    _check(c)
    report = progress or _ignore
    report(0.0)
    order = np.lexsort((c.mentor, c.mentee, -c.score))
    places = c.capacity.astype(np.int64).tolist()
    taken = [False] * c.n_mentees
    chosen: list[int] = []
    mentees = c.mentee.tolist()
    mentors = c.mentor.tolist()
    for edge in order.tolist():
        mentee, mentor = mentees[edge], mentors[edge]
        if not taken[mentee] and places[mentor] > 0:
            taken[mentee] = True
            places[mentor] -= 1
            chosen.append(edge)
    pairs = np.array(chosen, dtype=np.int64)
    report(1.0)
    return Assignment(pairs=pairs, stats=_stats(c, pairs))


# --- stable -------------------------------------------------------------------------------------


def stable(c: Candidates, *, progress: Progress | None = None) -> Assignment:
    """Mentee-proposing deferred acceptance with capacities.

    Mentees rank their edges by `score`, mentors by `mentor_rank` (or `score` without it); ties go
    to the lower index, which keeps the result deterministic and still leaves no pair that both
    strictly prefer each other. Vectorised by rounds: every free mentee proposes to its next
    choice at once, then every mentor keeps its best proposals up to its places."""
    _check(c)
    report = progress or _ignore
    report(0.0)
    n_edges = c.n_edges
    mentor_key = c.score if c.mentor_rank is None else c.mentor_rank
    # Each mentee's edges in its order of preference, as one block per mentee.
    by_mentee = np.lexsort((c.mentor, -c.score, c.mentee))
    counts = np.bincount(c.mentee, minlength=c.n_mentees)
    block_end = np.cumsum(counts)
    cursor = block_end - counts
    first_choice_total = int(cursor.sum())
    reported = 0.0
    # Every edge's place in its mentor's order of preference: sorting a pool of edges by this
    # number groups it by mentor, best first.
    priority = np.empty(n_edges, dtype=np.int64)
    priority[np.lexsort((c.mentee, -mentor_key, c.mentor))] = np.arange(n_edges)
    edge_at_priority = np.argsort(priority)
    capacity = c.capacity.astype(np.int64)
    held = np.empty(0, dtype=np.int64)
    matched = np.zeros(c.n_mentees, dtype=bool)
    while True:
        free = np.flatnonzero(~matched & (cursor < block_end))
        if free.shape[0] == 0:
            break
        proposals = by_mentee[cursor[free]]
        cursor[free] += 1
        pool = np.sort(np.concatenate([priority[held], priority[proposals]]))
        pool_edges = edge_at_priority[pool]
        pool_mentors = c.mentor[pool_edges]
        starts = np.flatnonzero(np.r_[True, pool_mentors[1:] != pool_mentors[:-1]])
        rank = np.arange(pool.shape[0]) - np.repeat(starts, np.diff(np.r_[starts, pool.shape[0]]))
        held = pool_edges[rank < capacity[pool_mentors]]
        matched[:] = False
        matched[c.mentee[held]] = True
        made = float(cursor.sum() - first_choice_total) / max(n_edges, 1)
        if made >= reported + 0.01:  # a round is milliseconds: report each percent, not each round
            reported = made
            report(min(0.99, made))
    pairs = np.sort(held)
    report(1.0)
    return Assignment(pairs=pairs, stats=_stats(c, pairs))


# --- shared -------------------------------------------------------------------------------------


def _stats(c: Candidates, pairs: IntArray) -> dict[str, float | int]:
    matched = int(pairs.shape[0])
    scores = c.score[pairs]
    total = float(scores.sum())
    return {
        "mentees": c.n_mentees,
        "mentors": c.n_mentors,
        "matched": matched,
        "unmatched": c.n_mentees - matched,
        "total_score": total,
        "mean_score": total / matched if matched else 0.0,
        "min_score": float(scores.min()) if matched else 0.0,
    }


def _check(c: Candidates) -> None:
    """Refuse a graph the solvers would silently misread (a caller's defect, not user input)."""
    n_edges = c.n_edges
    arrays: dict[str, npt.NDArray[Any]] = {"mentor": c.mentor, "score": c.score}
    if c.mentor_rank is not None:
        arrays["mentor_rank"] = c.mentor_rank
    for name, array in arrays.items():
        if array.shape != (n_edges,):
            raise ValueError(f"{name} has shape {array.shape}, expected ({n_edges},)")
    if c.capacity.shape != (c.n_mentors,):
        raise ValueError(f"capacity has shape {c.capacity.shape}, expected ({c.n_mentors},)")
    if n_edges and not (c.mentee.min() >= 0 and c.mentee.max() < c.n_mentees):
        raise ValueError("an edge names a mentee outside 0..n_mentees-1")
    if n_edges and not (c.mentor.min() >= 0 and c.mentor.max() < c.n_mentors):
        raise ValueError("an edge names a mentor outside 0..n_mentors-1")
    if not np.all((c.score >= 0.0) & (c.score <= 1.0)):  # also refuses NaN
        raise ValueError("scores must lie in [0, 1]")
    if c.mentor_rank is not None and not np.all(np.isfinite(c.mentor_rank)):
        raise ValueError("mentor_rank must be finite")
    if c.n_mentors and c.capacity.min() < 0:
        raise ValueError("capacity must not be negative")


def _ignore(_: float) -> None:
    return None

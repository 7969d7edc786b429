"""Cohort assignment on random small graphs, checked against exhaustive search.

Pure logic: no database. Each property is one a programme admin would notice if it broke: a mentor
over capacity, a mentee matched twice, an optimum that is not optimal, a fairness pass that lowers
the floor or drops a mentee, a "stable" result two people would walk away from."""

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.assignment import (
    SCALE,
    Assignment,
    Candidates,
    candidates_from_scores,
    solve,
)

MODES = ("optimal", "greedy", "stable")
# Few distinct scores make ties (and equal-total optima) common, where ordering defects hide.
SCORES = st.one_of(
    st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), st.floats(0.0, 1.0, allow_nan=False)
)


@st.composite
def graphs(draw: st.DrawFn, max_mentees: int = 6, max_mentors: int = 4) -> Candidates:
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(0, max_mentors))
    pairs = [(i, j) for i in range(n) for j in range(m)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True) if pairs else st.just([]))
    k = len(chosen)
    scores = draw(st.lists(SCORES, min_size=k, max_size=k))
    ranks = draw(st.none() | st.lists(SCORES, min_size=k, max_size=k))
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    return Candidates(
        mentee=np.array([i for i, _ in chosen], dtype=np.int32),
        mentor=np.array([j for _, j in chosen], dtype=np.int32),
        score=np.array(scores, dtype=np.float64),
        n_mentees=n,
        n_mentors=m,
        capacity=np.array(capacity, dtype=np.int32),
        mentor_rank=None if ranks is None else np.array(ranks, dtype=np.float64),
    )


def _assignments(c: Candidates) -> Iterator[list[int]]:
    """Every feasible assignment, as lists of edge indices."""
    by_mentee: list[list[int]] = [[] for _ in range(c.n_mentees)]
    for edge, mentee in enumerate(c.mentee.tolist()):
        by_mentee[mentee].append(edge)
    places = c.capacity.astype(int).tolist()

    def walk(mentee: int, taken: list[int]) -> Iterator[list[int]]:
        if mentee == c.n_mentees:
            yield list(taken)
            return
        yield from walk(mentee + 1, taken)
        for edge in by_mentee[mentee]:
            mentor = int(c.mentor[edge])
            if places[mentor] > 0:
                places[mentor] -= 1
                taken.append(edge)
                yield from walk(mentee + 1, taken)
                taken.pop()
                places[mentor] += 1

    yield from walk(0, [])


def _total(c: Candidates, edges: list[int] | np.ndarray) -> float:
    return float(c.score[np.asarray(edges, dtype=np.int64)].sum())


def _tolerance(c: Candidates) -> float:
    # Integer costs round each score by at most 0.5 / SCALE, and both sides of a comparison may.
    return c.n_mentees / SCALE + 1e-9


def _assert_feasible(c: Candidates, result: Assignment) -> None:
    pairs = result.pairs
    assert pairs.dtype == np.int64
    assert np.all((pairs >= 0) & (pairs < c.n_edges)), "an edge that was not offered"
    mentees = c.mentee[pairs]
    assert len(set(mentees.tolist())) == len(mentees), "a mentee matched twice"
    load = np.bincount(c.mentor[pairs], minlength=c.n_mentors)
    assert np.all(load <= c.capacity), "a mentor over capacity"
    stats = result.stats
    assert stats["matched"] == len(pairs)
    assert stats["unmatched"] == c.n_mentees - len(pairs)
    assert stats["mentees"] == c.n_mentees and stats["mentors"] == c.n_mentors
    assert stats["total_score"] == pytest.approx(_total(c, pairs))
    if len(pairs):
        assert stats["min_score"] == pytest.approx(float(c.score[pairs].min()))
        assert stats["mean_score"] == pytest.approx(_total(c, pairs) / len(pairs))


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_every_mode_offers_only_given_pairs_within_capacity_and_each_mentee_once(
    c: Candidates,
) -> None:
    for mode in MODES:
        _assert_feasible(c, solve(mode, c))


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_optimal_matches_the_most_mentees_then_the_highest_total_like_exhaustive_search(
    c: Candidates,
) -> None:
    best_count = max(len(a) for a in _assignments(c))
    best_total = max(_total(c, a) for a in _assignments(c) if len(a) == best_count)
    plain = solve("optimal", c, fairness=False)
    assert plain.stats["matched"] == best_count
    assert plain.stats["total_score"] == pytest.approx(best_total, abs=_tolerance(c))
    assert plain.stats["bound"] >= plain.stats["total_score"] - 1e-9
    assert plain.stats["bound"] >= best_total - 1e-9, "the bound is below a real assignment"


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_fairness_raises_the_floor_as_far_as_exhaustive_search_without_losing_a_mentee(
    c: Candidates,
) -> None:
    plain = solve("optimal", c, fairness=False)
    fair = solve("optimal", c)
    count = plain.stats["matched"]
    assert fair.stats["matched"] == count
    assert fair.stats["min_score"] >= plain.stats["min_score"]
    assert fair.stats["min_before_fairness"] == plain.stats["min_score"]
    assert fair.stats["total_before_fairness"] == pytest.approx(plain.stats["total_score"])
    if count == 0:
        return
    largest = [a for a in _assignments(c) if len(a) == count]
    best_floor = max(float(c.score[a].min()) for a in largest)
    best_total = max(_total(c, a) for a in largest if float(c.score[a].min()) >= best_floor)
    assert fair.stats["fairness_floor"] == best_floor
    assert fair.stats["min_score"] == best_floor
    assert fair.stats["total_score"] == pytest.approx(best_total, abs=_tolerance(c))
    assert fair.stats["total_score"] <= plain.stats["total_score"] + _tolerance(c)
    assert 0.0 <= fair.stats["gap"] <= 1.0


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_optimal_totals_at_least_greedy_when_both_match_as_many(c: Candidates) -> None:
    plain = solve("optimal", c, fairness=False)
    quick = solve("greedy", c)
    assert plain.stats["matched"] >= quick.stats["matched"]
    if plain.stats["matched"] == quick.stats["matched"]:
        assert plain.stats["total_score"] >= quick.stats["total_score"] - _tolerance(c)


def _blocking_pairs(c: Candidates, pairs: np.ndarray) -> list[int]:
    """Edges whose mentee and mentor both strictly prefer each other to what they have (a free
    place counts as preferable to nobody)."""
    mentor_key = c.score if c.mentor_rank is None else c.mentor_rank
    held_score = {int(c.mentee[e]): float(c.score[e]) for e in pairs}
    held_by_mentor: dict[int, list[float]] = {}
    for e in pairs.tolist():
        held_by_mentor.setdefault(int(c.mentor[e]), []).append(float(mentor_key[e]))
    chosen = set(pairs.tolist())
    blocking = []
    for e in range(c.n_edges):
        if e in chosen:
            continue
        i, j = int(c.mentee[e]), int(c.mentor[e])
        mentee_wants = i not in held_score or float(c.score[e]) > held_score[i]
        held = held_by_mentor.get(j, [])
        mentor_wants = len(held) < int(c.capacity[j]) or (
            bool(held) and float(mentor_key[e]) > min(held)
        )
        if mentee_wants and mentor_wants:
            blocking.append(e)
    return blocking


@settings(max_examples=300, deadline=None)
@given(graphs(max_mentees=8, max_mentors=5))
def test_stable_leaves_no_mentee_and_mentor_who_would_both_rather_have_each_other(
    c: Candidates,
) -> None:
    result = solve("stable", c)
    assert _blocking_pairs(c, result.pairs) == []


def test_a_known_instability_is_a_blocking_pair() -> None:
    """The checker above can fail: the mentee-optimal but mentor-unwanted pairing is caught."""
    c = Candidates(
        mentee=np.array([0, 0, 1, 1], dtype=np.int32),
        mentor=np.array([0, 1, 0, 1], dtype=np.int32),
        score=np.array([0.9, 0.1, 0.8, 0.2]),
        n_mentees=2,
        n_mentors=2,
        capacity=np.array([1, 1], dtype=np.int32),
        mentor_rank=np.array([0.1, 0.5, 0.9, 0.5]),
    )
    assert _blocking_pairs(c, np.array([0, 3])) == [2]  # mentor 0 and mentee 1 prefer each other
    assert solve("stable", c).pairs.tolist() == [1, 2]


def _graph(
    mentee: list[int], mentor: list[int], score: list[float], n: int, capacity: list[int]
) -> Candidates:
    return Candidates(
        mentee=np.array(mentee, dtype=np.int32),
        mentor=np.array(mentor, dtype=np.int32),
        score=np.array(score, dtype=np.float64),
        n_mentees=n,
        n_mentors=len(capacity),
        capacity=np.array(capacity, dtype=np.int32),
    )


@pytest.mark.parametrize("mode", MODES)
def test_an_empty_programme_leaves_everyone_unmatched(mode: str) -> None:
    result = solve(mode, _graph([], [], [], 3, []))  # type: ignore[arg-type]
    assert result.pairs.tolist() == []
    assert result.stats["matched"] == 0 and result.stats["unmatched"] == 3
    assert result.stats["total_score"] == 0.0 and result.stats["min_score"] == 0.0


@pytest.mark.parametrize("mode", MODES)
def test_full_mentors_and_a_mentee_without_candidates_stay_unmatched(mode: str) -> None:
    # Mentor 0 has no place left; mentee 2 has no eligible mentor at all.
    c = _graph([0, 1, 1], [0, 0, 1], [0.9, 0.8, 0.3], 3, [0, 2])
    result = solve(mode, c)  # type: ignore[arg-type]
    assert result.pairs.tolist() == [2]
    assert result.stats["unmatched"] == 2


def test_optimal_gives_up_a_better_pair_to_match_one_more_mentee() -> None:
    # Greedy takes 0.9 (mentee 0 -> mentor 0) and strands mentee 1; optimal matches both.
    c = _graph([0, 0, 1], [0, 1, 0], [0.9, 0.1, 0.5], 2, [1, 1])
    assert solve("greedy", c).stats["matched"] == 1
    result = solve("optimal", c, fairness=False)
    assert sorted(result.pairs.tolist()) == [1, 2]


def test_fairness_trades_total_for_a_higher_floor() -> None:
    # Plain optimum: 1.0 + 0.1 = 1.1 (min 0.1); fair: 0.5 + 0.5 = 1.0 (min 0.5).
    c = _graph([0, 0, 1, 1], [0, 1, 0, 1], [1.0, 0.5, 0.5, 0.1], 2, [1, 1])
    fair = solve("optimal", c)
    assert sorted(fair.pairs.tolist()) == [1, 2]
    assert fair.stats["fairness_floor"] == 0.5
    assert fair.stats["min_before_fairness"] == 0.1
    assert fair.stats["total_before_fairness"] == pytest.approx(1.1)
    assert fair.stats["gap"] == pytest.approx(0.1 / 1.1, abs=1e-5)


def test_progress_climbs_from_zero_to_one() -> None:
    rng = np.random.default_rng(7)
    n, m, k = 200, 40, 8
    c = Candidates(
        mentee=np.repeat(np.arange(n), k).astype(np.int32),
        mentor=np.concatenate([rng.choice(m, k, replace=False) for _ in range(n)]).astype(np.int32),
        score=rng.random(n * k),
        n_mentees=n,
        n_mentors=m,
        capacity=rng.integers(1, 4, m).astype(np.int32),
    )
    for mode in MODES:
        seen: list[float] = []
        solve(mode, c, progress=seen.append)  # type: ignore[arg-type]
        assert seen[0] == 0.0 and seen[-1] == 1.0
        assert seen == sorted(seen), f"{mode} progress went backwards: {seen}"
        assert all(0.0 <= p <= 1.0 for p in seen)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("score", np.array([1.5])),
        ("score", np.array([np.nan])),
        ("mentor", np.array([3], dtype=np.int32)),
        ("capacity", np.array([-1], dtype=np.int32)),
    ],
)
def test_a_malformed_graph_is_refused_rather_than_misread(field: str, value: np.ndarray) -> None:
    fields = {
        "mentee": np.array([0], dtype=np.int32),
        "mentor": np.array([0], dtype=np.int32),
        "score": np.array([0.5]),
        "n_mentees": 1,
        "n_mentors": 1,
        "capacity": np.array([1], dtype=np.int32),
    }
    fields[field] = value
    with pytest.raises(ValueError):
        solve("optimal", Candidates(**fields))  # type: ignore[arg-type]


def _reference_pairs(scores: np.ndarray, capacity: np.ndarray, k: int, per_mentor: int) -> set:
    """Each row's k best and each column's per_mentor best eligible cells, by plain sorting."""
    eligible = ~np.isnan(scores) & (capacity > 0)[None, :]
    cells = {(i, j) for i, j in zip(*np.nonzero(eligible), strict=True)}
    pairs = set()
    for i in range(scores.shape[0]):
        row = sorted((j for (r, j) in cells if r == i), key=lambda j: -scores[i, j])
        pairs |= {(i, j) for j in row[:k]}
    for j in range(scores.shape[1]):
        column = sorted((r for (r, c) in cells if c == j), key=lambda r: -scores[r, j])
        pairs |= {(r, j) for r in column[:per_mentor]}
    return pairs


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 12),
    st.integers(0, 6),
    st.integers(0, 4),
    st.integers(0, 4),
    st.integers(1, 5),
    st.integers(0, 2**32 - 1),
)
def test_the_candidate_graph_holds_each_mentee_s_best_and_each_mentor_s_best_whatever_the_blocks(
    n: int, m: int, k: int, per_mentor: int, block: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.random((n, m))  # continuous: no ties, so "the k best" is one set
    scores[rng.random((n, m)) < 0.3] = np.nan  # not eligible
    capacity = rng.integers(0, 3, m).astype(np.int32)
    blocks = ((start, scores[start : start + block]) for start in range(0, n, block))
    c = candidates_from_scores(blocks, n_mentees=n, capacity=capacity, k=k, per_mentor=per_mentor)
    got = list(zip(c.mentee.tolist(), c.mentor.tolist(), strict=True))
    assert len(got) == len(set(got)), "a pair offered twice"
    assert set(got) == _reference_pairs(scores, capacity, k, per_mentor)
    assert c.score.tolist() == [scores[i, j] for i, j in got]
    assert c.n_mentees == n and c.n_mentors == m


@pytest.mark.parametrize("seed", range(5))
def test_stable_holds_on_a_programme_where_popular_mentors_turn_most_mentees_away(
    seed: int,
) -> None:
    """Many rounds of proposals and rejections, which tiny graphs never reach."""
    rng = np.random.default_rng(seed)
    n, m, k = 400, 60, 12
    quality = rng.random(m)
    mentor = np.concatenate([rng.choice(m, k, replace=False) for _ in range(n)]).astype(np.int32)
    c = Candidates(
        mentee=np.repeat(np.arange(n), k).astype(np.int32),
        mentor=mentor,
        score=np.clip(0.6 * quality[mentor] + 0.4 * rng.random(n * k), 0.0, 1.0),
        n_mentees=n,
        n_mentors=m,
        capacity=rng.integers(0, 5, m).astype(np.int32),
        mentor_rank=rng.random(n * k),
    )
    result = solve("stable", c)
    _assert_feasible(c, result)
    assert _blocking_pairs(c, result.pairs) == []

"""Cohort assignment at the size of a real programme, on a generated candidate graph.

(a) 20,000 mentees x 4,000 mentors, capacities 1-5, each mentee's K best mentors as candidates.
    A pair's score is half the mentor's quality (shared by every mentee: popular mentors are
    wanted by many) and half the pair's own fit; mentors rank mentees by their own criteria.
    Times optimal (fairness on), greedy and stable; the whole run's peak memory.
    Targets: optimal under 5 s, peak memory under 3 GB.
(b) 5,000 x 1,000 from the same generator: the exact optimum over ALL pairs (a dense score matrix
    in one min-cost flow) against the top-K solution. Target: total within 0.01 %.
(c) Fairness on (a): the minimum score before and after, and what it cost in total.
    Targets: min after >= min before, cost under 0.1 %.

The machine is shared: wall time is printed with the process's CPU time beside it, so a slow
figure can be told apart from a busy machine.

Run: .venv/bin/python -m bench.matching_assignment
"""

import argparse
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import numpy as np

from services.matching.assignment import (
    DEFAULT_K,
    DEFAULT_PER_MENTOR,
    Assignment,
    Candidates,
    candidates_from_scores,
    greedy,
    optimal,
    stable,
)

K = DEFAULT_K
PER_MENTOR = DEFAULT_PER_MENTOR
BLOCK = 1_000
# The share of a pair's score that is the mentor's quality, the same for every mentee: what makes
# many mentees want the same popular mentors.
POPULARITY = 0.3
SEED = 20261203
T = TypeVar("T")


class Programme:
    """A generated programme: scores of any mentee block against every mentor, reproducibly."""

    def __init__(self, n_mentees: int, n_mentors: int, seed: int = SEED) -> None:
        rng = np.random.default_rng(seed)
        self.n_mentees, self.n_mentors, self.seed = n_mentees, n_mentors, seed
        self.quality = rng.beta(2.0, 3.0, n_mentors)  # a few stars, a long middle
        self.capacity = rng.integers(1, 6, n_mentors).astype(np.int32)
        self.seniority = rng.random(n_mentees)  # what mentors look for, their own criterion

    def scores(self, block: int) -> np.ndarray:
        """Mentees of block `block` (BLOCK of them) against every mentor, the same in every call."""
        start, stop = block * BLOCK, min((block + 1) * BLOCK, self.n_mentees)
        rng = np.random.default_rng((self.seed, block))
        # The pair's own fit (triangular on [0, 1]: most pairs middling, few perfect or hopeless).
        fit = rng.random((stop - start, self.n_mentors)) + rng.random(
            (stop - start, self.n_mentors)
        )
        return np.clip(POPULARITY * self.quality + (1 - POPULARITY) * fit / 2, 0.0, 1.0)

    def candidates(self, k: int | None, per_mentor: int = 0) -> Candidates:
        """The graph the run job builds: each mentee's k best mentors and each mentor's
        `per_mentor` best mentees (every pair for k=None)."""
        blocks = (
            (block * BLOCK, self.scores(block)) for block in range(-(-self.n_mentees // BLOCK))
        )
        c = candidates_from_scores(
            blocks,
            n_mentees=self.n_mentees,
            capacity=self.capacity,
            k=self.n_mentors if k is None else k,
            per_mentor=per_mentor,
        )
        rank_noise = np.random.default_rng((self.seed, 2**32 - 1)).random(c.n_edges)
        return replace(c, mentor_rank=0.7 * self.seniority[c.mentee] + 0.3 * rank_noise)


def _timed(run: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def _line(label: str, value: str, target: str, ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("  ok" if ok else "  MISSED")
    return f"{label:<52} {value:<34} target {target}{verdict}"


def _describe(result: Assignment) -> str:
    s = result.stats
    return f"matched {s['matched']:,}, total {s['total_score']:,.2f}, min {s['min_score']:.4f}"


def cohort(
    n_mentees: int = 20_000, n_mentors: int = 4_000, k: int = K, per_mentor: int = PER_MENTOR
) -> list[str]:
    programme = Programme(n_mentees, n_mentors)
    c, build, _ = _timed(lambda: programme.candidates(k, per_mentor))
    lines = [
        f"(a) cohort {n_mentees:,} x {n_mentors:,}, K={k} per mentee + {per_mentor} per mentor: "
        f"{c.n_edges:,} candidate pairs, {int(programme.capacity.sum()):,} places "
        f"(graph built from the scores in {build:.1f} s, not part of the solve)"
    ]
    best, wall, cpu = _timed(lambda: optimal(c))
    lines.append(
        _line("optimal with fairness", f"{wall:.2f} s wall ({cpu:.2f} s CPU)", "< 5 s", wall < 5)
    )
    lines.append(f"    {_describe(best)}, gap to the bound {best.stats['gap']:.2e}")
    quick, wall, cpu = _timed(lambda: greedy(c))
    lines.append(_line("greedy", f"{wall:.2f} s wall ({cpu:.2f} s CPU)", "(comparison)"))
    lines.append(f"    {_describe(quick)}")
    settled, wall, cpu = _timed(lambda: stable(c))
    lines.append(_line("stable", f"{wall:.2f} s wall ({cpu:.2f} s CPU)", "seconds"))
    lines.append(f"    {_describe(settled)} (mentors rank by their own criteria)")
    s = best.stats
    before_total, before_min = float(s["total_before_fairness"]), float(s["min_before_fairness"])
    cost = (before_total - float(s["total_score"])) / before_total if before_total else 0.0
    lines.append(
        _line(
            "(c) fairness: min score before -> after",
            f"{before_min:.4f} -> {float(s['min_score']):.4f}",
            ">= before",
            float(s["min_score"]) >= before_min,
        )
    )
    lines.append(_line("    fairness: relative total cost", f"{cost:.5%}", "< 0.1 %", cost < 1e-3))
    if per_mentor:
        mentee_side = programme.candidates(k)
        only, wall, cpu = _timed(lambda: optimal(mentee_side))
        lines.append(
            _line(
                f"    for comparison, K={k} per mentee only",
                f"{wall:.2f} s wall ({cpu:.2f} s CPU)",
                "(for comparison)",
            )
        )
        lines.append(f"    {_describe(only)}: the popular mentors' places only")
    return lines


def exact_versus_top_k(
    n_mentees: int = 5_000,
    n_mentors: int = 1_000,
    graphs: tuple[tuple[int, int], ...] = ((30, 0), (100, 0), (10, 20), (K, PER_MENTOR)),
) -> list[str]:
    """The exact optimum over every pair against candidate graphs of several sizes: (K per mentee,
    best mentees per mentor)."""
    programme = Programme(n_mentees, n_mentors, seed=SEED + 1)
    dense = programme.candidates(None)
    exact, wall, cpu = _timed(lambda: optimal(dense, fairness=False))
    exact_total = float(exact.stats["total_score"])
    lines = [
        f"(b) {n_mentees:,} x {n_mentors:,}: exact optimum over all {dense.n_edges:,} pairs in "
        f"{wall:.1f} s ({cpu:.1f} s CPU): {_describe(exact)}"
    ]
    for k, per_mentor in graphs:
        c = programme.candidates(k, per_mentor)
        top = optimal(c, fairness=False)
        gap = (exact_total - float(top.stats["total_score"])) / exact_total
        same = top.stats["matched"] == exact.stats["matched"]
        default = (k, per_mentor) == (K, PER_MENTOR)
        lines.append(
            _line(
                f"    K={k} + {per_mentor} per mentor ({c.n_edges:,} pairs)",
                f"{gap:.1e} below" + ("" if same else f", {top.stats['matched']:,} matched"),
                "<= 1e-4 (0.01 %), the default" if default else "(for comparison)",
                gap <= 1e-4 and same if default else None,
            )
        )
    return lines


def figures() -> list[str]:
    lines = cohort()
    lines += exact_versus_top_k()
    peak = _peak_rss_gb()
    lines.append(
        _line("peak memory of the whole run (max RSS)", f"{peak:.2f} GB", "< 3 GB", peak < 3)
    )
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.matching_assignment")
    parser.add_argument("--mentees", type=int, default=20_000)
    parser.add_argument("--mentors", type=int, default=4_000)
    parser.add_argument("-k", type=int, default=K, help="candidates per mentee")
    parser.add_argument("--per-mentor", type=int, default=PER_MENTOR, help="candidates per mentor")
    args = parser.parse_args(argv)
    if (args.mentees, args.mentors, args.k, args.per_mentor) == (20_000, 4_000, K, PER_MENTOR):
        lines = figures()
    else:
        lines = cohort(args.mentees, args.mentors, args.k, args.per_mentor)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Tokens and the incremental BM25 behind text relevance."""

import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.text import Bm25, tokens


def test_forms_of_a_word_meet_and_stop_words_go() -> None:
    assert tokens("Leading leads, the LEADER; leadership!") == ["lead"] * 4
    assert tokens("managing managed manager management manages") == ["manag"] * 5
    assert tokens("planning planned plans") == ["plan"] * 3
    assert tokens("I want to be an engineer for them") == ["want", "engin"]


def test_accents_and_case_fold_and_short_words_keep_their_form() -> None:
    assert tokens("Équipe ÉQUIPE équipe") == ["equip"] * 3
    assert tokens("Straße") == tokens("strasse")
    assert tokens("skills skilled process status analysis") == [
        "skill",
        "skill",
        "process",
        "status",
        "analysis",
    ]
    assert tokens("C++ and Go, python3") == ["c", "go", "python3"]


def _brute_force(docs: dict[int, str], query: str, n_rows: int, k1: float = 1.2, b: float = 0.75):
    bags = {row: Counter(tokens(text)) for row, text in docs.items() if tokens(text)}
    average = sum(sum(bag.values()) for bag in bags.values()) / max(len(bags), 1)
    out = np.zeros(n_rows)
    for word in dict.fromkeys(tokens(query)):
        df = sum(1 for bag in bags.values() if word in bag)
        if not df:
            continue
        idf = math.log1p((len(bags) - df + 0.5) / (df + 0.5))
        for row, bag in bags.items():
            tf = bag.get(word, 0)
            length = sum(bag.values())
            if tf and row < n_rows:
                out[row] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
    return out


WORDS = ["python", "leading", "teams", "hiring", "design", "systems", "data", "the", "coach"]
TEXT = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)


@settings(max_examples=100, deadline=None)
@given(
    updates=st.lists(st.tuples(st.integers(0, 9), TEXT), max_size=25),
    batch=st.integers(1, 5),
    query=TEXT,
)
def test_scores_stay_exact_through_any_sequence_of_updates(
    updates: list[tuple[int, str]], batch: int, query: str
) -> None:
    index = Bm25()
    docs: dict[int, str] = {}
    for start in range(0, len(updates), batch):
        chunk = updates[start : start + batch]
        index.set_many(chunk)
        docs.update(chunk)
    got = index.scores(query, 10)
    assert got.dtype == np.float32
    assert np.allclose(got, _brute_force(docs, query, 10), rtol=1e-5, atol=1e-6)
    normalised = index.scores(query, 10, normalised=True)
    assert ((normalised >= 0) & (normalised <= 1)).all()


def test_a_cleared_row_scores_zero_and_the_best_match_ranks_first() -> None:
    index = Bm25()
    index.set(0, "I coach people on hiring and leading teams")
    index.set(1, "Python data systems design")
    index.set(2, "Leading hiring for data teams")
    scores = index.scores("leadership and hiring", 3, normalised=True)
    assert scores[1] == 0 and scores[0] > 0 and scores[2] > 0
    index.clear(2)
    assert index.scores("hiring", 3)[2] == 0
    assert len(index) == 2 and index.nbytes() > 0

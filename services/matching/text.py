"""Text relevance without a model: normalised tokens and an incremental, exact BM25.

`tokens` folds case and accents, splits on anything that is not a letter or a digit, drops
stop words (data/stopwords.txt) and strips a few English suffixes, so that "leading", "leads",
"leader" and "leadership" all read as "lead". It is deliberately light: a wrong merge costs
a little precision on a mentor's bio, a missed one costs a match.

`Bm25` scores a query against integer rows (a mentor's row in `MentorArrays`). Postings are
per-term numpy arrays; setting a row changes only that row's postings, and the document count
and average length are kept current, so a score is always exact for the rows set right now.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources

import numpy as np

_WORD = re.compile(r"[^\W_]+")
_MIN_STEM = 3
# Longest first within a pass; two passes so "leadership" -> "leader" -> "lead".
_SUFFIXES = ("ship", "ness", "ment", "ing", "ed", "er", "ly")
_UNDOUBLE_AFTER = frozenset({"ing", "ed", "er"})  # "planning" -> "plann" -> "plan"


@cache
def stop_words() -> frozenset[str]:
    text = resources.files("services.matching").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def fold(text: str) -> str:
    """Casefolded, compatibility-decomposed, without combining marks: "Équipe" -> "equipe"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def stem(word: str) -> str:
    """A light English stemmer: plural, then up to two of a few derivational suffixes, then a
    final "e" ("manage", "managed", "manager", "management" all give "manag")."""
    if len(word) <= _MIN_STEM or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
                word = word[: -len(suffix)]
                if (
                    suffix in _UNDOUBLE_AFTER
                    and len(word) > _MIN_STEM
                    and word[-1] == word[-2]
                    and word[-1] not in "lsz"
                ):
                    word = word[:-1]
                break
        else:
            break
    if word.endswith("e") and len(word) > _MIN_STEM:
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """The comparison tokens of a text, in order, stop words dropped."""
    stops = stop_words()
    return [stem(word) for word in _WORD.findall(fold(text)) if word not in stops]


_TF_BITS = 20  # a posting packs (term id << 20) | term frequency in one int64 per row
_TF_MASK = (1 << _TF_BITS) - 1


class Bm25:
    """Okapi BM25 (k1, b) over integer rows, updated in place."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._term_ids: dict[str, int] = {}
        self._post_rows: list[np.ndarray] = []  # per term id: int32 rows, ascending
        self._post_tf: list[np.ndarray] = []  # per term id: float32 term frequency
        self._docs: dict[int, np.ndarray] = {}  # row -> packed (term id, tf), for clearing
        self._length = np.zeros(0, dtype=np.float32)  # tokens per row
        self._total_length = 0.0
        self._norm: np.ndarray | None = None  # k1 * (1 - b + b * len / avg), while current

    def __len__(self) -> int:
        return len(self._docs)

    def set(self, row: int, text: str) -> None:
        self.set_many([(row, text)])

    def clear(self, row: int) -> None:
        self.set_many([(row, "")])

    def clear_many(self, rows: Iterable[int]) -> None:
        self.set_many((row, "") for row in rows)

    def set_many(self, items: Iterable[tuple[int, str]]) -> None:
        """Set (or, with an empty text, clear) many rows; each touched term is rebuilt once."""
        removed: dict[int, set[int]] = {}
        added: dict[int, dict[int, int]] = {}
        for row, text in items:
            old = self._docs.pop(row, None)
            if old is not None:
                for term in (old >> _TF_BITS).tolist():
                    removed.setdefault(term, set()).add(row)
                    added.get(term, {}).pop(row, None)  # the row set twice in one batch
                self._total_length -= float(self._length[row])
            if row >= self._length.shape[0]:
                self._grow(row + 1)
            counts = Counter(tokens(text))
            self._length[row] = sum(counts.values())
            self._total_length += float(self._length[row])
            if not counts:
                continue
            packed = []
            for word, count in counts.items():
                term = self._term_ids.get(word)
                if term is None:
                    term = self._term_ids[word] = len(self._post_rows)
                    self._post_rows.append(np.zeros(0, dtype=np.int32))
                    self._post_tf.append(np.zeros(0, dtype=np.float32))
                added.setdefault(term, {})[row] = count
                packed.append((term << _TF_BITS) | min(count, _TF_MASK))
            self._docs[row] = np.array(sorted(packed), dtype=np.int64)
        for term in removed.keys() | added.keys():
            rows, tfs = self._post_rows[term], self._post_tf[term]
            gone = removed.get(term, set()) | set(added.get(term, {}))
            if gone:
                keep = ~np.isin(rows, np.fromiter(gone, dtype=np.int32, count=len(gone)))
                rows, tfs = rows[keep], tfs[keep]
            new = added.get(term)
            if new:
                rows = np.concatenate([rows, np.fromiter(new, dtype=np.int32, count=len(new))])
                tfs = np.concatenate(
                    [tfs, np.fromiter(new.values(), dtype=np.float32, count=len(new))]
                )
                order = np.argsort(rows, kind="stable")
                rows, tfs = rows[order], tfs[order]
            self._post_rows[term], self._post_tf[term] = rows, tfs
        self._norm = None

    def _grow(self, size: int) -> None:
        capacity = max(size, 2 * self._length.shape[0], 64)
        grown = np.zeros(capacity, dtype=np.float32)
        grown[: self._length.shape[0]] = self._length
        self._length = grown

    def _current_norm(self) -> np.ndarray:
        if self._norm is None:
            average = self._total_length / len(self._docs) if self._docs else 1.0
            self._norm = (
                self.k1 * (1 - self.b + self.b * self._length / max(average, 1e-9))
            ).astype(np.float32)
        return self._norm

    def _idf(self, df: int) -> float:
        documents = len(self._docs)
        return float(np.log1p((documents - df + 0.5) / (df + 0.5)))

    def query_terms(self, query: str) -> list[int]:
        """The query's distinct tokens that some row contains, as term ids."""
        seen = dict.fromkeys(tokens(query))
        return [
            term
            for word in seen
            if (term := self._term_ids.get(word)) is not None and self._post_rows[term].size
        ]

    def scores(self, query: str, n_rows: int, *, normalised: bool = False) -> np.ndarray:
        """BM25 of the query's distinct tokens for rows 0..n_rows-1, float32 (unset rows 0).

        normalised: divided by the query's self-score, the score of a row of average length
        that contains every query term once (the sum of the terms' IDF), and capped at 1. A
        plain s / (s + k) would depend on how long the query is; this reads as "how much of
        what the mentee asked about this profile covers, weighted by how telling each word
        is", so one mentee's goals give comparable values across mentors and programs."""
        out = np.zeros(n_rows, dtype=np.float32)
        terms = self.query_terms(query)
        if not terms:
            return out
        norm = self._current_norm()
        k1_plus_1 = np.float32(self.k1 + 1)
        self_score = 0.0
        for term in terms:
            rows, tfs = self._post_rows[term], self._post_tf[term]
            if rows.size and rows[-1] >= n_rows:
                cut = int(np.searchsorted(rows, n_rows))
                rows, tfs = rows[:cut], tfs[:cut]
            idf = self._idf(self._post_rows[term].size)
            self_score += idf
            out[rows] += np.float32(idf) * (tfs * k1_plus_1) / (tfs + norm[rows])
        if normalised:
            np.minimum(out / np.float32(self_score), np.float32(1.0), out=out)
        return out

    def nbytes(self) -> int:
        """Bytes held: postings, per-row documents and lengths, plus the Python containers."""
        arrays = sum(a.nbytes for a in self._post_rows) + sum(a.nbytes for a in self._post_tf)
        docs = sum(d.nbytes for d in self._docs.values())
        # A numpy array object costs about 112 bytes besides its data; a dict slot about 100.
        overhead = 112 * (2 * len(self._post_rows) + len(self._docs)) + 100 * (
            len(self._docs) + len(self._term_ids)
        )
        terms = sum(len(word) + 49 for word in self._term_ids)
        return arrays + docs + self._length.nbytes + overhead + terms

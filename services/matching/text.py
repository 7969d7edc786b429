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
from functools import cache, lru_cache
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
    if text.isascii():
        return text.lower()  # the same as the general path, ten times faster
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=65_536)
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


@lru_cache(maxsize=65_536)
def _token(word: str) -> str:
    """A folded word's token; "" for a stop word."""
    return "" if word in stop_words() else stem(word)


def tokens(text: str) -> list[str]:
    """The comparison tokens of a text, in order, stop words dropped."""
    return [token for word in _WORD.findall(fold(text)) if (token := _token(word))]


class Bm25:
    """Okapi BM25 (k1, b) over integer rows, updated in place.

    A row's contribution to a term depends only on the pair (term frequency in the row, row
    length), and real texts have few distinct pairs (a few thousand). So each posting stores
    the row (int32) and the code of its pair (uint16, uint32 past 65,535 pairs); scoring turns
    codes into contributions through one small table per query term (the pairs' BM25 term
    weight times the term's IDF, recomputed from the current document count and average
    length, so always exact): one gather from a table that sits in cache, then one bincount
    over all the query's postings. 6 bytes per (row, distinct term), plus 4 per row-term to
    clear a row."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._term_ids: dict[str, int] = {}
        self._post_rows: list[np.ndarray] = []  # per term id: int32 rows, ascending
        self._post_code: list[np.ndarray] = []  # per term id: the rows' (tf, length) codes
        self._code_dtype: type = np.uint16
        self._pairs: dict[tuple[int, int], int] = {}  # (tf, length) -> code
        self._pair_tf: list[int] = []
        self._pair_length: list[int] = []
        self._docs: dict[int, np.ndarray] = {}  # row -> int32 term ids, for clearing
        self._lengths = np.zeros(0, dtype=np.uint32)  # tokens per row
        self._total_length = 0
        self._table: tuple[tuple[int, int, int], np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._docs)

    def set(self, row: int, text: str) -> None:
        self.set_many([(row, text)])

    def clear(self, row: int) -> None:
        self.set_many([(row, "")])

    def clear_many(self, rows: Iterable[int]) -> None:
        self.set_many((row, "") for row in rows)

    def _term(self, word: str) -> int:
        term = self._term_ids.get(word)
        if term is None:
            term = self._term_ids[word] = len(self._post_rows)
            self._post_rows.append(np.zeros(0, dtype=np.int32))
            self._post_code.append(np.zeros(0, dtype=self._code_dtype))
        return term

    def _code(self, tf: int, length: int) -> int:
        code = self._pairs.get((tf, length))
        if code is None:
            code = self._pairs[(tf, length)] = len(self._pair_tf)
            self._pair_tf.append(tf)
            self._pair_length.append(length)
            if code > np.iinfo(self._code_dtype).max:
                self._code_dtype = np.uint32
                self._post_code = [codes.astype(np.uint32) for codes in self._post_code]
        return code

    def set_many(self, items: Iterable[tuple[int, str]]) -> None:
        """Set (or, with an empty text, clear) many rows; each touched term is rebuilt once."""
        latest = dict(items)  # a row set twice in one batch: the last text wins
        if not latest:
            return
        top = max(latest)
        if top >= self._lengths.shape[0]:
            grown = np.zeros(max(top + 1, 2 * self._lengths.shape[0], 64), dtype=np.uint32)
            grown[: self._lengths.shape[0]] = self._lengths
            self._lengths = grown
        touched: set[int] = set()
        new_terms: list[np.ndarray] = []
        new_rows: list[np.ndarray] = []
        new_codes: list[np.ndarray] = []
        for row, text in latest.items():
            old = self._docs.pop(row, None)
            if old is not None:
                touched.update(old.tolist())
            self._total_length -= int(self._lengths[row])
            counts = Counter(tokens(text))
            length = sum(counts.values())
            self._lengths[row] = length
            self._total_length += length
            if not counts:
                continue
            terms = np.fromiter((self._term(word) for word in counts), dtype=np.int32)
            codes = np.fromiter((self._code(tf, length) for tf in counts.values()), dtype=np.int64)
            self._docs[row] = terms
            touched.update(terms.tolist())
            new_terms.append(terms)
            new_rows.append(np.full(terms.size, row, dtype=np.int32))
            new_codes.append(codes)
        batch = np.fromiter(latest, dtype=np.int32, count=len(latest))
        added: dict[int, tuple[int, int]] = {}
        rows = codes = np.zeros(0, dtype=np.int32)
        if new_terms:
            terms = np.concatenate(new_terms)
            order = np.lexsort((np.concatenate(new_rows), terms))
            terms = terms[order]
            rows = np.concatenate(new_rows)[order]
            codes = np.concatenate(new_codes)[order].astype(self._code_dtype)
            starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
            ends = np.r_[starts[1:], terms.size]
            added = {
                int(terms[start]): (int(start), int(end))
                for start, end in zip(starts, ends, strict=True)
            }
        for term in touched:
            kept_rows, kept_codes = self._post_rows[term], self._post_code[term]
            if kept_rows.size:
                keep = ~np.isin(kept_rows, batch)
                kept_rows, kept_codes = kept_rows[keep], kept_codes[keep]
            span = added.get(term)
            if span is not None:
                start, end = span
                at = np.searchsorted(kept_rows, rows[start:end])
                kept_rows = np.insert(kept_rows, at, rows[start:end])
                kept_codes = np.insert(kept_codes, at, codes[start:end])
            self._post_rows[term], self._post_code[term] = kept_rows, kept_codes

    def _weights(self) -> np.ndarray:
        """Each (tf, length) pair's BM25 term weight for the current average length."""
        key = (self._total_length, len(self._docs), len(self._pair_tf))
        if self._table is not None and self._table[0] == key:
            return self._table[1]
        average = self._total_length / len(self._docs) if self._docs else 1.0
        tf = np.array(self._pair_tf, dtype=np.float64)
        length = np.array(self._pair_length, dtype=np.float64)
        norm = self.k1 * (1 - self.b + self.b * length / max(average, 1e-9))
        weights = (tf * (self.k1 + 1) / (tf + norm)).astype(np.float32)
        self._table = (key, weights)
        return weights

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
        terms = self.query_terms(query)
        if not terms or n_rows <= 0:
            return np.zeros(max(n_rows, 0), dtype=np.float32)
        table = self._weights()
        all_rows = []
        contributions = []
        self_score = 0.0
        for term in terms:
            rows = self._post_rows[term]
            idf = self._idf(rows.size)
            self_score += idf
            all_rows.append(rows)
            contributions.append((table * np.float32(idf)).take(self._post_code[term]))
        rows = np.concatenate(all_rows)
        weights = np.concatenate(contributions)
        if rows.size and int(rows.max()) >= n_rows:
            inside = rows < n_rows
            rows, weights = rows[inside], weights[inside]
        out = np.bincount(rows, weights=weights, minlength=n_rows)[:n_rows].astype(np.float32)
        if normalised:
            np.minimum(out / np.float32(self_score), np.float32(1.0), out=out)
        return out

    def nbytes(self) -> int:
        """Bytes held: postings and per-row term lists, plus the Python containers."""
        postings = sum(rows.nbytes for rows in self._post_rows)
        postings += sum(codes.nbytes for codes in self._post_code)
        docs = sum(terms.nbytes for terms in self._docs.values()) + self._lengths.nbytes
        # A numpy array object costs about 112 bytes besides its data; a dict slot about 100.
        overhead = 112 * (2 * len(self._post_rows) + len(self._docs)) + 100 * (
            len(self._docs) + len(self._term_ids) + 2 * len(self._pairs)
        )
        vocabulary = sum(len(word) + 49 for word in self._term_ids)
        return postings + docs + overhead + vocabulary

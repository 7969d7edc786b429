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


def positions_of(rows: np.ndarray, batch: np.ndarray) -> np.ndarray:
    """Where the values of `batch` (ascending) sit in `rows` (ascending, distinct): O(batch *
    log rows), so taking one row out of a long posting is one search and one copy."""
    if not rows.size or not batch.size:
        return np.zeros(0, dtype=np.intp)
    at = np.searchsorted(rows, batch)
    inside = at < rows.size
    at = at[inside]
    found: np.ndarray = at[rows[at] == batch[inside]]
    return found


_MAX_LENGTH = 1 << 20  # a term frequency or length beyond is read as this (no text is so long)


class Bm25:
    """Okapi BM25 (k1, b) over integer rows, updated in place.

    A row's contribution to a term depends only on the pair (term frequency in the row, row
    length), and real texts have few distinct pairs (a few thousand). So each posting stores
    the row (int32) and the code of its pair (uint16, uint32 past 65,535 pairs); scoring turns
    codes into contributions through one small table per query term (the pairs' BM25 term
    weight times the term's IDF, recomputed from the current document count and average
    length, so always exact): one gather from a table that sits in cache, then one unbuffered add
    per term into the rows' scores. 6 bytes per (row, distinct term), plus 4 per row-term to
    clear a row."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._term_ids: dict[str, int] = {}
        self._post_rows: list[np.ndarray] = []  # per term id: int32 rows, ascending
        self._post_code: list[np.ndarray] = []  # per term id: the rows' (tf, length) codes
        self._code_dtype: type = np.uint16
        self._pairs: dict[int, int] = {}  # tf << 32 | length -> code
        self._word_ids: dict[str, int] = {}  # folded word as written -> term id, -1 stop word
        self._pair_tf: list[int] = []
        self._pair_length: list[int] = []
        self._docs: dict[int, np.ndarray] = {}  # row -> int32 term ids, for clearing
        self._lengths = np.zeros(0, dtype=np.uint32)  # tokens per row
        self._hashes = np.zeros(0, dtype=np.int64)  # hash of each row's text, 0 never set
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

    def _word(self, word: str) -> int:
        """The term id of a folded word as it appears in texts (-1 for a stop word), learned
        once per distinct word so indexing a text is one dict lookup per word."""
        token = _token(word)
        term = self._term_ids.get(token) if token else -1
        if term is None:
            term = self._term_ids[token] = len(self._post_rows)
            self._post_rows.append(np.zeros(0, dtype=np.int32))
            self._post_code.append(np.zeros(0, dtype=self._code_dtype))
        self._word_ids[word] = term
        return term

    def _codes(self, tf: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The code of each (tf, length) pair, new pairs learned."""
        pairs = tf.astype(np.int64) << 32 | lengths.astype(np.int64)
        distinct, inverse = np.unique(pairs, return_inverse=True)
        codes = np.empty(distinct.size, dtype=np.int64)
        for index, pair in enumerate(distinct.tolist()):
            code = self._pairs.get(pair)
            if code is None:
                code = self._pairs[pair] = len(self._pair_tf)
                self._pair_tf.append(pair >> 32)
                self._pair_length.append(pair & 0xFFFFFFFF)
            codes[index] = code
        if len(self._pair_tf) > np.iinfo(self._code_dtype).max + 1:
            self._code_dtype = np.uint32
            self._post_code = [codes.astype(np.uint32) for codes in self._post_code]
        result: np.ndarray = codes[inverse.reshape(-1)].astype(self._code_dtype)
        return result

    def set_many(self, items: Iterable[tuple[int, str]]) -> None:
        """Set (or, with an empty text, clear) many rows; each touched term is rebuilt once."""
        latest = dict(items)  # a row set twice in one batch: the last text wins
        if not latest:
            return
        top = max(latest)
        if top >= self._lengths.shape[0]:
            size = max(top + 1, 2 * self._lengths.shape[0], 64)
            for name in ("_lengths", "_hashes"):
                old = getattr(self, name)
                grown = np.zeros(size, dtype=old.dtype)
                grown[: old.shape[0]] = old
                setattr(self, name, grown)
        # Most profile changes leave the text alone (places, availability): those rows are
        # skipped, so such an update costs nothing here.
        for row, text in list(latest.items()):
            fingerprint = hash(text) or 1
            if self._hashes[row] == fingerprint:
                del latest[row]
            else:
                self._hashes[row] = fingerprint
        if not latest:
            return
        touched: set[int] = set()
        new_terms: list[np.ndarray] = []
        new_rows: list[int] = []
        new_tf: list[np.ndarray] = []
        per_row: list[int] = []
        word_ids = self._word_ids
        for row, text in latest.items():
            old = self._docs.pop(row, None)
            if old is not None:
                touched.update(old.tolist())
            self._total_length -= int(self._lengths[row])
            ids = [
                term if (term := word_ids.get(word)) is not None else self._word(word)
                for word in _WORD.findall(fold(text))
            ]
            counts = Counter(term for term in ids if term >= 0)
            length = min(sum(counts.values()), _MAX_LENGTH)
            self._lengths[row] = length
            self._total_length += length
            if not counts:
                continue
            terms = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
            self._docs[row] = terms
            touched.update(counts.keys())
            new_terms.append(terms)
            new_rows.append(row)
            new_tf.append(np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))
            per_row.append(len(counts))
        batch = np.fromiter(latest, dtype=np.int32, count=len(latest))
        added: dict[int, tuple[int, int]] = {}
        rows = codes = np.zeros(0, dtype=np.int32)
        if new_terms:
            terms = np.concatenate(new_terms)
            repeat = np.array(per_row, dtype=np.int64)
            rows = np.repeat(np.array(new_rows, dtype=np.int32), repeat)
            lengths = np.repeat(self._lengths[np.array(new_rows, dtype=np.intp)], repeat)
            codes = self._codes(np.minimum(np.concatenate(new_tf), _MAX_LENGTH), lengths)
            order = np.lexsort((rows, terms))
            terms = terms[order]
            rows = rows[order]
            codes = codes[order]
            starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
            ends = np.r_[starts[1:], terms.size]
            added = {
                int(terms[start]): (int(start), int(end))
                for start, end in zip(starts, ends, strict=True)
            }
        batch.sort()
        for term in touched:
            kept_rows, kept_codes = self._post_rows[term], self._post_code[term]
            gone = positions_of(kept_rows, batch)
            if gone.size:
                kept_rows = np.delete(kept_rows, gone)
                kept_codes = np.delete(kept_codes, gone)
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
        out = np.zeros(n_rows, dtype=np.float32)
        self_score = 0.0
        for term in terms:
            rows = self._post_rows[term]
            idf = self._idf(rows.size)
            self_score += idf
            contribution = (table * np.float32(idf)).take(self._post_code[term])
            if rows.size and int(rows[-1]) >= n_rows:
                cut = int(np.searchsorted(rows, n_rows))
                rows, contribution = rows[:cut], contribution[:cut]
            # rows are distinct within a term: an unbuffered add, one pass over the postings
            np.add.at(out, rows, contribution)
        if normalised:
            np.minimum(out / np.float32(self_score), np.float32(1.0), out=out)
        return out

    def nbytes(self) -> int:
        """Bytes held: postings and per-row term lists, plus the Python containers."""
        postings = sum(rows.nbytes for rows in self._post_rows)
        postings += sum(codes.nbytes for codes in self._post_code)
        docs = sum(terms.nbytes for terms in self._docs.values())
        docs += self._lengths.nbytes + self._hashes.nbytes
        # A numpy array object costs about 112 bytes besides its data; a dict slot about 100.
        overhead = 112 * (2 * len(self._post_rows) + len(self._docs)) + 100 * (
            len(self._docs) + len(self._term_ids) + len(self._word_ids) + 2 * len(self._pairs)
        )
        vocabulary = sum(len(word) + 49 for word in self._term_ids)
        vocabulary += sum(len(word) + 49 for word in self._word_ids)
        return postings + docs + overhead + vocabulary

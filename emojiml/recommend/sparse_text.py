"""A sparse n-gram emoji classifier: TF-IDF word and character n-grams + a linear SVM (one-vs-rest).

Why: the SemEval-2018 emoji-prediction winner was a linear SVM on n-grams — strong on hashtags, slang and
spelling that a sentence encoder smooths away. Stored without pickle: the vocabularies and IDF weights go to
JSON/safetensors and the vectorisers are rebuilt from them, so loading runs no code from the file.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Self

import numpy as np
from scipy import sparse

from emojiml.checkpoint import (
    RESTORE,
    CheckpointError,
    build_config,
    check_shape,
    read_json,
    read_tensors,
    save_tensors,
    write_json,
)

TOKEN_PATTERN = r"(?u)[#@]?\w+|[^\w\s]"
MEMO_WORDS = 100_000  # words whose character n-gram columns stay known between calls (about 30 MB)


@dataclass(frozen=True)
class SparseTextConfig:
    """Feature and model settings (what the model card reports)."""

    word_ngrams: tuple[int, int] = (1, 3)
    char_ngrams: tuple[int, int] = (2, 5)
    word_max_features: int = 150_000
    char_max_features: int = 150_000
    min_df: int = 3
    C: float = 0.1
    class_weight: str | None = "balanced"


class SparseTextClassifier:
    """fit(texts, labels) -> decision_function(texts): (N, n_classes) margins."""

    def __init__(self, config: SparseTextConfig | None = None) -> None:
        self.config = config or SparseTextConfig()

    def _vectorizers(self, vocabularies=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        c = self.config
        word_vocab, char_vocab = vocabularies or (None, None)
        word = TfidfVectorizer(
            ngram_range=tuple(c.word_ngrams),
            min_df=c.min_df,
            sublinear_tf=True,
            token_pattern=TOKEN_PATTERN,
            max_features=c.word_max_features,
            vocabulary=word_vocab,
            dtype=np.float32,
        )
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(c.char_ngrams),
            min_df=c.min_df,
            sublinear_tf=True,
            max_features=c.char_max_features,
            vocabulary=char_vocab,
            dtype=np.float32,
        )
        return word, char

    def fit(self, texts: list[str], labels: np.ndarray) -> Self:
        from sklearn.svm import LinearSVC

        word, char = self._vectorizers()
        features = sparse.hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
        svm = LinearSVC(C=self.config.C, class_weight=self.config.class_weight).fit(features, labels)
        self.word_, self.char_ = word, char
        for derived in ("word_analyzer", "word_columns", "coef_columns"):  # cached from an earlier fit
            self.__dict__.pop(derived, None)
        self.coef_ = svm.coef_.astype(np.float32)  # (n_classes, n_features)
        self.intercept_ = svm.intercept_.astype(np.float32)  # (n_classes,)
        return self

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        """TF-IDF rows, exactly the fitted vectorisers' ``transform`` side by side (a test checks it), built for the
        whole batch at once without ``transform``'s per-call validation: term look-ups run in C (``map`` over the
        vocabulary), a word's character n-grams are looked up once (``word_columns``), and counting, weighting
        and normalising are whole-array operations."""
        word = _word_counts(self.word_, self.word_analyzer, texts)
        char = _char_wb_counts(self.char_, texts, self.word_columns)
        return _side_by_side(_tfidf(word, self.word_.idf_), _tfidf(char, self.char_.idf_))

    @functools.cached_property
    def word_columns(self) -> dict[str, np.ndarray]:
        """Word -> the vocabulary columns of its character n-grams, filled as words are met (``_char_wb_counts``)."""
        return {}

    @functools.cached_property
    def word_analyzer(self) -> Callable[[str], list[str]]:
        """The word vectoriser's text -> terms function, built once (building compiles its regex)."""
        return self.word_.build_analyzer()

    def decision_function(self, texts: list[str]) -> np.ndarray:
        """(N, n_classes) SVM margins."""
        return np.asarray(self.features(texts) @ self.coef_columns) + self.intercept_

    @functools.cached_property
    def coef_columns(self) -> np.ndarray:
        """(n_features, n_classes) C-contiguous: sparse @ dense then reads rows without copying 24 MB per call."""
        return np.ascontiguousarray(self.coef_.T)

    def save(self, path: Path) -> None:
        """``path``.safetensors (coefficients, IDF) + ``path``.json (config and vocabularies)."""
        tensors = {
            "coef": self.coef_.astype(np.float16),
            "intercept": self.intercept_,
            "word_idf": self.word_.idf_.astype(np.float32),
            "char_idf": self.char_.idf_.astype(np.float32),
        }
        save_tensors(tensors, path.with_suffix(".safetensors"))  # made C-contiguous: LinearSVC's coef_ is F-order
        vocab = {
            "config": asdict(self.config),
            "word_vocabulary": _ordered(self.word_.vocabulary_),
            "char_vocabulary": _ordered(self.char_.vocabulary_),
        }
        write_json(path.with_suffix(".json"), vocab, indent=None, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path) -> SparseTextClassifier:
        meta_file, weights = path.with_suffix(".json"), path.with_suffix(".safetensors")
        meta = read_json(meta_file)
        tensors = read_tensors(weights, "numpy", required=("coef", "intercept", "word_idf", "char_idf"))
        try:
            config = meta["config"]
            config = {
                **config,
                "word_ngrams": tuple(config["word_ngrams"]),
                "char_ngrams": tuple(config["char_ngrams"]),
            }
            word_vocab = {term: i for i, term in enumerate(meta["word_vocabulary"])}
            char_vocab = {term: i for i, term in enumerate(meta["char_vocabulary"])}
        except (KeyError, TypeError) as error:
            raise CheckpointError(f"{meta_file} is not a sparse text model ({error!r}); {RESTORE}.") from error
        model = cls(build_config(SparseTextConfig, config, meta_file))
        n_classes = len(tensors["intercept"])
        check_shape(weights, "word_idf", tensors["word_idf"], (len(word_vocab),))
        check_shape(weights, "char_idf", tensors["char_idf"], (len(char_vocab),))
        check_shape(weights, "coef", tensors["coef"], (n_classes, len(word_vocab) + len(char_vocab)))
        model.word_, model.char_ = model._vectorizers((word_vocab, char_vocab))
        model.word_.idf_ = tensors["word_idf"]
        model.char_.idf_ = tensors["char_idf"]
        model.coef_ = tensors["coef"].astype(np.float32)
        model.intercept_ = tensors["intercept"]
        return model


def _look_up(vocabulary: dict[str, int], terms: Iterable[str], count: int) -> np.ndarray:
    """(count,) int64 vocabulary columns of ``terms``, -1 for unknown ones: one C-level ``map`` over the dict."""
    return np.fromiter(map(vocabulary.get, terms, itertools.repeat(-1)), dtype=np.int64, count=count)


@dataclass
class _Rows:
    """A block of TF-IDF rows as CSR arrays (what ``inplace_csr_row_normalize_l2`` reads): plain numpy until the
    two blocks are joined, since building a scipy matrix costs more than the arithmetic for one message."""

    data: np.ndarray  # (nnz,) float32
    indices: np.ndarray  # (nnz,) int64 columns, sorted within each row
    indptr: np.ndarray  # (n_rows + 1,) int64
    shape: tuple[int, int]


def _count_rows(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> _Rows:
    """Term counts from one (row, column) pair per occurrence (column -1: unknown, dropped), in the canonical
    form ``sum_duplicates`` leaves (columns sorted within each row, no repeats)."""
    known = columns >= 0
    keys, counts = np.unique(rows[known] * shape[1] + columns[known], return_counts=True)  # sorted: row, column
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // shape[1], minlength=shape[0]), out=indptr[1:])
    return _Rows(counts.astype(np.float32), keys % shape[1], indptr, shape)


def _word_counts(vectorizer, analyze: Callable[[str], list[str]], texts: list[str]) -> _Rows:
    """Word n-gram counts over the fitted vocabulary (n-grams span words, so each text is analysed whole)."""
    terms = [analyze(text) for text in texts]
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    columns = _look_up(vectorizer.vocabulary_, itertools.chain.from_iterable(terms), int(lengths.sum()))
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    return _count_rows(rows, columns, (len(texts), len(vectorizer.idf_)))


def _char_wb_counts(vectorizer, texts: list[str], memo: dict[str, np.ndarray]) -> _Rows:
    """``char_wb`` n-gram counts over the fitted vocabulary.

    ``char_wb`` n-grams never cross a word boundary, so a text's n-grams are its words' n-grams: a word is cut and
    looked up once, and every occurrence of it contributes that word's columns. ``memo`` keeps each word's columns
    between calls (at most ``MEMO_WORDS`` words, then it starts again), as a tokenizer keeps its word pieces."""
    preprocess = vectorizer.build_preprocessor()  # lower-casing, as the analyser does before splitting
    words = [preprocess(text).split() for text in texts]
    if len(memo) > MEMO_WORDS:
        memo.clear()
    columns_of = {word: memo.get(word) for word in itertools.chain.from_iterable(words)}
    missing = [word for word, columns in columns_of.items() if columns is None]
    if missing:
        low, high = vectorizer.ngram_range
        grams = [_char_wb_ngrams(word, low, high) for word in missing]
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        known = _look_up(vectorizer.vocabulary_, itertools.chain.from_iterable(grams), int(lengths.sum()))
        found = dict(zip(missing, np.split(known, np.cumsum(lengths)[:-1]), strict=True))
        columns_of.update(found)
        memo.update(found)
    occurrences = [columns_of[word] for row in words for word in row]
    columns = np.concatenate(occurrences) if occurrences else np.zeros(0, dtype=np.int64)
    per_text = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    occurrence_rows = np.repeat(np.arange(len(texts), dtype=np.int64), per_text)
    rows = np.repeat(occurrence_rows, np.fromiter(map(len, occurrences), dtype=np.int64, count=len(occurrences)))
    return _count_rows(rows, columns, (len(texts), len(vectorizer.idf_)))


def _char_wb_ngrams(word: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of one word: padded with a space each side, lengths ``low``..``high``;
    a padded word no longer than n gives itself once and stops the longer n-grams."""
    padded = f" {word} "
    size = len(padded)
    grams = []
    for n in range(low, high + 1):
        if size <= n:
            grams.append(padded)
            break
        grams.extend([padded[i : i + n] for i in range(size - n + 1)])
    return grams


def _tfidf(counts: _Rows, idf: np.ndarray) -> _Rows:
    """Sublinear TF x IDF, rows L2-normalised in place (``normalize``'s own kernel, without its validation)."""
    from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

    counts.data = ((1 + np.log(counts.data)) * idf[counts.indices]).astype(np.float32)
    inplace_csr_row_normalize_l2(counts)  # empty rows stay empty
    return counts


def _side_by_side(left: _Rows, right: _Rows) -> sparse.csr_matrix:
    """``sparse.hstack([left, right]).tocsr()`` for two blocks with the same rows, by index arithmetic: each row
    holds its ``left`` entries, then its ``right`` entries shifted past ``left``'s columns."""
    n = left.shape[0]
    left_nnz, right_nnz = len(left.data), len(right.data)
    left_rows = np.repeat(np.arange(n), np.diff(left.indptr))
    right_rows = np.repeat(np.arange(n), np.diff(right.indptr))
    at_left = np.arange(left_nnz) + right.indptr[left_rows]  # entries of the right block before this row
    at_right = np.arange(right_nnz) + left.indptr[right_rows + 1]  # the row's left entries come first
    data = np.empty(left_nnz + right_nnz, dtype=np.float32)
    indices = np.empty(left_nnz + right_nnz, dtype=np.int64)
    data[at_left], data[at_right] = left.data, right.data
    indices[at_left], indices[at_right] = left.indices, right.indices + left.shape[1]
    return sparse.csr_matrix((data, indices, left.indptr + right.indptr), shape=(n, left.shape[1] + right.shape[1]))


def _ordered(vocabulary: dict[str, int]) -> list[str]:
    """A vocabulary as a list in column order (smaller JSON than a dict, and order is the mapping)."""
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[index] = term
    return terms

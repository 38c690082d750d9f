"""A sparse n-gram emoji classifier: TF-IDF word and character n-grams + a linear SVM (one-vs-rest).

Why: the SemEval-2018 emoji-prediction winner was a linear SVM on n-grams — strong on hashtags, slang and
spelling that a sentence encoder smooths away. Stored without pickle: the vocabularies and IDF weights go to
JSON/safetensors and the vectorisers are rebuilt from them, so loading runs no code from the file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
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
        for derived in ("analyzers", "coef_columns"):  # cached from an earlier fit
            self.__dict__.pop(derived, None)
        self.coef_ = svm.coef_.astype(np.float32)  # (n_classes, n_features)
        self.intercept_ = svm.intercept_.astype(np.float32)  # (n_classes,)
        return self

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        """TF-IDF rows, the same as the fitted vectorisers' ``transform`` (a test checks it) without its per-call
        validation: 0.3 ms instead of 1.0 ms for one message, the same for a batch of 1,000."""
        word, char = self.analyzers
        return sparse.hstack([_tfidf(self.word_, word, texts), _tfidf(self.char_, char, texts)]).tocsr()

    @functools.cached_property
    def analyzers(self) -> tuple[Callable[[str], list[str]], Callable[[str], list[str]]]:
        """The word and char vectorisers' text -> terms functions, built once (building compiles regexes)."""
        return self.word_.build_analyzer(), self.char_.build_analyzer()

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


def _tfidf(vectorizer, analyze: Callable[[str], list[str]], texts: list[str]) -> sparse.csr_matrix:
    """Sublinear-TF x IDF rows, L2-normalised, over a fitted vectoriser's vocabulary (what ``transform`` does).

    All texts at once: one vocabulary look-up per term, then counting, weighting and normalising as whole-matrix
    operations (per-row numpy calls were half the time of the per-row version this replaced).
    """
    from sklearn.preprocessing import normalize

    vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
    terms = [analyze(text) for text in texts]
    look_up = vocabulary.get
    columns = np.array([look_up(term, -1) for row in terms for term in row], dtype=np.int64)
    rows = np.repeat(np.arange(len(texts)), [len(row) for row in terms])
    known = columns >= 0
    counts = sparse.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.float32), (rows[known], columns[known])),
        shape=(len(texts), len(idf)),
    )  # duplicates are summed: term counts
    counts.sum_duplicates()
    counts.data = ((1 + np.log(counts.data)) * idf[counts.indices]).astype(np.float32)
    return normalize(counts, copy=False)  # L2 rows; empty rows stay empty


def _ordered(vocabulary: dict[str, int]) -> list[str]:
    """A vocabulary as a list in column order (smaller JSON than a dict, and order is the mapping)."""
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[index] = term
    return terms

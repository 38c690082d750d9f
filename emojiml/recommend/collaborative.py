"""Collaborative filtering on the people × emoji matrix: NMF (scikit-learn), ALS and BPR (``implicit``).

Why all three: NMF's non-negative parts are readable ("the celebration component") and drive the page's
heatmaps; ALS and BPR are the standard implicit-feedback baselines it is measured against. All of them
fall back to popularity for a person they have never seen, and all can down-weight the emoji a person
already uses (``used_weight``: 1 keeps them as scored, 0 hides them) so "discover something new" is a
setting rather than a hard-coded constant.
"""

from __future__ import annotations

import warnings
from typing import ClassVar, Self

import numpy as np
import pandas as pd
from scipy import sparse

from emojiml.catalog import Catalog
from emojiml.recommend.base import (
    RankingMixin,
    RecommenderInputError,
    catalog_of_events,
    check_events,
    check_fitted,
    event_indices,
    interaction_matrix,
    rankable_mask,
    weigh,
)

POPULARITY_TIE_BREAK = 1e-4  # orders the emoji a model scores equally (e.g. all zeros) by popularity


class _MatrixRecommender(RankingMixin):
    """Shared fit/score plumbing: build the weighted matrix on the used columns, learn factors, reconstruct."""

    weighting: str
    used_weight: float
    catalog: Catalog | None

    def _learn(self, matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, events: pd.DataFrame) -> Self:
        if not 0.0 <= self.used_weight <= 1.0:
            raise RecommenderInputError("used_weight must lie between 0 (hide used emoji) and 1 (keep them).")
        events = check_events(events)
        self.catalog_ = self.catalog or catalog_of_events(events)
        counts = interaction_matrix(events, self.catalog_, events["count"] if "count" in events.columns else None)
        self.users_ = counts.users
        self.user_index_ = counts.user_index
        self.columns_ = np.flatnonzero(np.asarray(counts.counts.sum(axis=0)).ravel() > 0)  # used emoji
        self.counts_ = counts.counts[:, self.columns_].tocsr()  # (n_users, n_used)
        popularity = np.zeros(len(self.catalog_))
        popularity[self.columns_] = np.log1p(np.asarray(self.counts_.sum(axis=0)).ravel())
        self.popularity_ = popularity / max(popularity.max(), 1e-9)
        self.rankable_ = rankable_mask(self.catalog_, event_indices(events, self.catalog_))
        if self.counts_.nnz == 0:
            raise RecommenderInputError("No usable events: every count is missing, zero or negative.")
        self.user_factors_, self.emoji_factors_ = self._learn(weigh(self.counts_, self.weighting))
        return self

    def known(self, user: str | None) -> bool:
        check_fitted(self)
        if user is None or user not in self.user_index_:
            return False
        row = self.user_index_[user]  # the row's stored counts, read from the CSR pointers (slicing a row copies it)
        return bool(self.counts_.indptr[row + 1] > self.counts_.indptr[row])

    def score(self, user: str | None, message: str | None) -> np.ndarray:
        """Reconstructed affinity for a known person, else popularity; used emoji scaled by ``used_weight``."""
        check_fitted(self)
        scores = POPULARITY_TIE_BREAK * self.popularity_
        if not self.known(user):
            return scores + self.popularity_
        row = self.user_index_[user]
        affinity = self.user_factors_[row] @ self.emoji_factors_.T  # (n_used,)
        scores = scores.copy()
        scores[self.columns_] += affinity
        scores[self.used_emoji(user)] *= self.used_weight
        return scores

    def reason(self, index: int, user: str | None, message: str | None) -> str:
        return "people like you use it" if self.known(user) else "popular here (new person)"

    def used_emoji(self, user: str | None) -> np.ndarray:
        """Catalog positions this person has used (empty for an unknown person)."""
        if not self.known(user):
            return np.zeros(0, dtype=np.int64)
        return self.columns_[self.counts_[self.user_index_[user]].indices]


class NMFRecommender(_MatrixRecommender):
    """Non-negative matrix factorisation: people ≈ mixtures of a few emoji "styles" (components)."""

    def __init__(
        self,
        n_components: int = 12,
        weighting: str = "log",
        used_weight: float = 1.0,
        alpha: float = 0.0,
        max_iter: int = 400,
        random_state: int = 0,
        catalog: Catalog | None = None,
    ) -> None:
        self.n_components = n_components
        self.weighting = weighting
        self.used_weight = used_weight
        self.alpha = alpha
        self.max_iter = max_iter
        self.random_state = random_state
        self.catalog = catalog

    def _learn(self, matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.decomposition import NMF

        rank = max(1, min(self.n_components, *matrix.shape))
        model = NMF(
            n_components=rank,
            init="nndsvda",
            max_iter=self.max_iter,
            alpha_W=self.alpha,
            random_state=self.random_state,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning on tiny matrices is expected and harmless
            users = model.fit_transform(matrix)
        return users.astype(np.float32), model.components_.T.astype(np.float32)

    def components(self) -> pd.DataFrame:
        """Emoji × component loadings (catalog keys as the index), for heatmaps and "top emoji per component"."""
        check_fitted(self)
        keys = [self.catalog_[i].char for i in self.columns_]
        return pd.DataFrame(self.emoji_factors_, index=keys, columns=[f"c{j + 1}" for j in range(self.rank)])

    def top_emoji(self, n: int = 6) -> pd.DataFrame:
        """Each component's ``n`` most loaded emoji, as one string: what the component "is about"."""
        loadings = self.components()
        rows = [(c, " ".join(loadings[c].sort_values(ascending=False).index[:n])) for c in loadings.columns]
        return pd.DataFrame(rows, columns=["component", "top emoji"])

    def people(self) -> pd.DataFrame:
        """People × component weights."""
        check_fitted(self)
        return pd.DataFrame(
            self.user_factors_, index=list(self.users_), columns=[f"c{j + 1}" for j in range(self.rank)]
        )

    @property
    def rank(self) -> int:
        return int(self.emoji_factors_.shape[1])


class ImplicitRecommender(_MatrixRecommender):
    """ALS or BPR from the ``implicit`` package on confidence-weighted counts."""

    ALGORITHMS = ("als", "bpr")
    # defaults picked on r-contributors' temporal split (NDCG@10): ALS overfits that small matrix beyond 4
    # factors (0.46 at 4, 0.37 at 16); BPR does best at 16 with a small learning rate
    DEFAULT_FACTORS: ClassVar[dict[str, int]] = {"als": 4, "bpr": 16}

    def __init__(
        self,
        algorithm: str = "als",
        factors: int | None = None,
        regularization: float = 0.05,
        iterations: int = 30,
        learning_rate: float = 0.01,
        alpha: float = 1.0,
        weighting: str = "bm25",
        used_weight: float = 1.0,
        random_state: int = 0,
        catalog: Catalog | None = None,
    ) -> None:
        self.algorithm = algorithm
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.weighting = weighting
        self.used_weight = used_weight
        self.random_state = random_state
        self.catalog = catalog

    def fit(self, events: pd.DataFrame) -> Self:
        if self.algorithm not in self.ALGORITHMS:
            raise RecommenderInputError(f"Unknown algorithm {self.algorithm!r}; choose als or bpr.")
        return super().fit(events)

    def _learn(self, matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        from implicit.cpu.als import AlternatingLeastSquares
        from implicit.cpu.bpr import BayesianPersonalizedRanking
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):  # implicit's own threads; a BLAS pool on top only slows it down
            if self.algorithm == "als":
                model = AlternatingLeastSquares(
                    factors=self.factors or self.DEFAULT_FACTORS["als"],
                    regularization=self.regularization,
                    iterations=self.iterations,
                    alpha=self.alpha,
                    random_state=self.random_state,
                    num_threads=1,
                )
            else:
                model = BayesianPersonalizedRanking(
                    factors=self.factors or self.DEFAULT_FACTORS["bpr"],
                    learning_rate=self.learning_rate,
                    regularization=self.regularization,
                    iterations=self.iterations,
                    random_state=self.random_state,
                    num_threads=1,
                )
            model.fit(matrix.astype(np.float32), show_progress=False)
        return np.asarray(model.user_factors), np.asarray(model.item_factors)


class PersonalRecommender(RankingMixin):
    """The hybrid's collaborative source: a person's own usage plus what people like them use (NMF).

    Why both: in a small workspace a person's own history is the strongest single signal for "any emoji",
    while NMF's neighbours are what can suggest an emoji that is new to them. Each part is min-max
    normalised before the blend, so ``neighbour_weight`` (0 = only own usage, 1 = only NMF) means what it says.
    """

    def __init__(self, nmf: NMFRecommender | None = None, neighbour_weight: float = 0.5) -> None:
        self.nmf = nmf
        self.neighbour_weight = neighbour_weight

    def fit(self, events: pd.DataFrame) -> Self:
        if not 0.0 <= self.neighbour_weight <= 1.0:
            raise RecommenderInputError("neighbour_weight must lie between 0 and 1.")
        self.nmf_ = (self.nmf or NMFRecommender(n_components=4, weighting="log")).fit(events)
        self.catalog_ = self.nmf_.catalog_
        self.rankable_ = self.nmf_.rankable_
        return self

    def known(self, user: str | None) -> bool:
        return self.nmf_.known(user)

    def step_aside(self, user: str | None, message: str | None) -> str | None:
        """No person: nothing personal to say (silently); an unknown person: say so."""
        if user is None:
            return ""
        if not self.known(user):
            return f"{user} has no reactions in this workspace yet: the other sources suggest for them."
        return None

    def own_counts(self, user: str | None) -> np.ndarray:
        """(n_emoji,) how often this person used each emoji (zeros for an unknown person)."""
        check_fitted(self)
        counts = np.zeros(len(self.catalog_))
        if self.known(user):
            row = self.nmf_.counts_[self.nmf_.user_index_[user]]
            counts[self.nmf_.columns_[row.indices]] = row.data
        return counts

    def score(self, user: str | None, message: str | None) -> np.ndarray:
        check_fitted(self)
        neighbours = self.nmf_.score(user, message)
        if not self.known(user):
            return neighbours
        own = np.log1p(self.own_counts(user))
        return (1.0 - self.neighbour_weight) * own / max(own.max(), 1e-9) + self.neighbour_weight * neighbours / max(
            neighbours.max(), 1e-9
        )

    def reason(self, index: int, user: str | None, message: str | None) -> str:
        if not self.known(user):
            return "popular here (new person)"
        count = int(self.own_counts(user)[index])
        return f"you use it often ({count}×)" if count else "people like you use it"

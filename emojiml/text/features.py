"""The inputs the emotion and act classifiers see for one turn, built the same way in training and at run time.

Three views of a turn, each cheap once the sentence embeddings exist:

* dense: the turn's embedding, the previous turn's, their elementwise product (how the reply relates to what
  it answers), the turn before that and, for models built with ``next_turn``, the turn after — zeros where the
  conversation has no such turn. The turn after is what a reply says about a message ("sorry to hear that"
  after sad news, an answer after a question); a message typed live has none yet, as the last turn of a
  training dialogue has none;
* cues (``N_CUES`` numbers): '?', '!', position in the conversation, VADER's four scores, length, shouting,
  emoji — signals a frozen sentence embedding blurs;
* hashed word n-grams of the turn, of the previous turn and (``next_turn``) of the next one, fed to an
  ``EmbeddingBag``: they keep the exact wording ("could you", "sure, I will") that decides dialogue acts and
  that sentence embeddings average away.
"""

from __future__ import annotations

import itertools
import re
import string
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from emojiml.catalog import emoji_in_text
from emojiml.encoder import EMBEDDING_DIM

DIM = EMBEDDING_DIM
N_DENSE = 4 * DIM
N_CUES = 15
TOKEN = re.compile(r"[a-z0-9']+|[?!.,]")


@dataclass(frozen=True)
class TurnFeatures:
    """Classifier inputs for a batch of turns (B = number of turns)."""

    dense: np.ndarray
    """(B, 4*384) float32: [turn, previous, turn*previous, the one before]; (B, 5*384) with [.., next]."""
    cues: np.ndarray
    """(B, N_CUES) float32."""
    ngram_ids: np.ndarray
    """(total,) int64 hashed n-gram buckets of all turns, concatenated."""
    ngram_offsets: np.ndarray
    """(B,) int64 start of each turn's n-grams in ``ngram_ids``."""


def dense_size(next_turn: bool) -> int:
    """Width of the dense block: four turn-sized slots, five with the next turn."""
    return N_DENSE + (DIM if next_turn else 0)


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def ngram_keys(
    text: str, previous: str | None, following: str | None = None, next_turn: bool = False, sentences: bool = False
) -> list[str]:
    """Unigrams, bigrams and the first two words of the turn, plus unigrams and the first word of the previous
    turn and, with ``next_turn``, of the following one (``n:<end>`` when there is none).

    With ``sentences``, also the last sentence's own words, its first two words and its end mark, the number of
    sentences, and the first two words of the previous turn's last sentence: in "Yes. Then cross the road."
    the act is the last sentence's ("then cross": a directive), which the turn's mean bag blurs."""
    words = _tokens(text)
    keys = [f"w:{w}" for w in words] + [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    keys += [f"^:{w}" for w in words[:2]] + (["^:<empty>"] if not words else [])
    if sentences:
        split = _sentences(words)
        last = split[-1] if split else []
        keys += [f"s:{w}" for w in last] + [f"s^:{w}" for w in last[:2]] + [f"s#:{min(len(split), 4)}"]
    if previous is None:
        keys.append("p:<start>")
    else:
        before = _tokens(previous)
        keys += [f"p:{w}" for w in before] + [f"p^:{w}" for w in before[:1]] + [f"p$:{w}" for w in before[-1:]]
        if sentences:
            split = _sentences(before)
            keys += [f"ps^:{w}" for w in (split[-1] if split else [])[:2]]
    if next_turn:
        if following is None:
            keys.append("n:<end>")
        else:
            after = _tokens(following)
            keys += [f"n:{w}" for w in after] + [f"n^:{w}" for w in after[:2]]
    return keys


END_MARKS = frozenset(".?!")


def _sentences(words: list[str]) -> list[list[str]]:
    """Tokens split into sentences after each run of ".", "?" or "!" (each keeps its end mark)."""
    split: list[list[str]] = [[]]
    for k, word in enumerate(words):
        split[-1].append(word)
        if word in END_MARKS and (k + 1 == len(words) or words[k + 1] not in END_MARKS):
            split.append([])
    return [sentence for sentence in split if sentence]


def hash_keys(keys: Sequence[str], buckets: int) -> list[int]:
    """Stable across processes and Python versions (``hash()`` is salted; crc32 is not)."""
    return [zlib.crc32(key.encode()) % buckets for key in keys]


FIRST_TURN_CUE = 3
"""The cue that is 1 on a conversation's first turn (``cue_vector``'s ``index == 0``)."""


def first_turns(cues):
    """(B,) bool, numpy or torch like ``cues`` (B, N_CUES): the rows that begin a conversation, row 0 always.

    Rows come as whole conversations in turn order (as ``turn_features`` gets them), so this is where each
    conversation's run of rows starts: the act model's GRU, its training batches and its held-out split read it."""
    starts = cues[:, FIRST_TURN_CUE] > 0.5
    starts[:1] = True
    return starts


def cue_vector(text: str, index: int, has_previous: bool, previous: str | None, vader: dict[str, float]) -> list[float]:
    """The ``N_CUES`` hand-made numbers of one turn (see the module docstring)."""
    n_letters, n_upper = _letter_counts(text)
    upper = n_upper / n_letters if n_letters >= 4 else 0.0
    return [
        float("?" in text),
        float("!" in text),
        min(text.count("!"), 3) / 3,
        float(index == 0),
        float(has_previous),
        min(index, 10) / 10,
        vader["compound"],
        vader["pos"],
        vader["neg"],
        vader["neu"],
        min(np.log1p(len(text.split())) / 4, 1.5),
        upper,
        float(bool(emoji_in_text(text))),
        float(previous is not None and "?" in previous),
        float(text.rstrip().endswith("?")),
    ]


ASCII_LETTERS = string.ascii_letters.encode()
ASCII_UPPER = string.ascii_uppercase.encode()


def _letter_counts(text: str) -> tuple[int, int]:
    """(letters, upper-case letters) in ``text`` (``str.isalpha``/``isupper``), counted in C: ASCII text (most
    messages) by deleting bytes, other text by ``map``; a per-character Python loop was a third of the cues' cost."""
    if text.isascii():
        raw = text.encode()
        return len(raw) - len(raw.translate(None, ASCII_LETTERS)), len(raw) - len(raw.translate(None, ASCII_UPPER))
    letters = list(filter(str.isalpha, text))
    return len(letters), sum(map(str.isupper, letters))


def turn_features(
    texts: Sequence[str],
    embeddings: np.ndarray,
    previous: Sequence[int | None],
    positions: Sequence[int],
    vader: Sequence[dict[str, float]],
    buckets: int,
    next_turn: bool = False,
    sentences: bool = False,
) -> TurnFeatures:
    """Features of every turn; ``previous[i]`` is the row of turn i's previous turn (None at a conversation start).

    With ``next_turn`` the dense block gains the next turn's embedding (the row whose previous turn is i); with
    ``sentences`` the n-grams gain the last sentences' keys (``ngram_keys``)."""
    n = len(texts)
    zero = np.zeros(DIM, dtype=np.float32)
    following: list[int | None] = [None] * n
    for i, before in enumerate(previous):
        if before is not None:
            following[before] = i
    dense = np.zeros((n, dense_size(next_turn)), dtype=np.float32)
    cues = np.zeros((n, N_CUES), dtype=np.float32)
    ids: list[int] = []
    offsets = np.zeros(n, dtype=np.int64)
    for i in range(n):
        p1 = previous[i]
        p2 = previous[p1] if p1 is not None else None
        before = embeddings[p1] if p1 is not None else zero
        dense[i, :DIM] = embeddings[i]
        dense[i, DIM : 2 * DIM] = before
        dense[i, 2 * DIM : 3 * DIM] = embeddings[i] * before
        dense[i, 3 * DIM : 4 * DIM] = embeddings[p2] if p2 is not None else zero
        n1 = following[i]
        if next_turn and n1 is not None:
            dense[i, 4 * DIM :] = embeddings[n1]
        previous_text = texts[p1] if p1 is not None else None
        following_text = texts[n1] if n1 is not None else None
        cues[i] = cue_vector(texts[i], positions[i], p1 is not None, previous_text, vader[i])
        offsets[i] = len(ids)
        keys = ngram_keys(texts[i], previous_text, following_text, next_turn, sentences)
        ids.extend(hash_keys(keys, buckets))
    return TurnFeatures(dense, cues, np.asarray(ids, dtype=np.int64), offsets)


def conversation_links(conversation_ids: Sequence[object]) -> tuple[list[int | None], list[int]]:
    """Previous-turn rows and positions for rows grouped by consecutive equal conversation ids (None included)."""
    previous: list[int | None] = []
    positions: list[int] = []
    for i, conversation in enumerate(conversation_ids):
        same = i > 0 and conversation_ids[i - 1] == conversation
        previous.append(i - 1 if same else None)
        positions.append(positions[-1] + 1 if same else 0)
    return previous, positions

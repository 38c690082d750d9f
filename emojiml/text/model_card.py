"""Model cards (EMOTION_CARD.md, ACT_CARD.md) written next to the checkpoints by ``emojiml train``."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from emojiml.text.classifier import ContextClassifier

_ABOUT = {
    "emotion": (
        "Ekman emotion (anger, disgust, fear, joy, neutral, sadness, surprise) of a chat message. Two heads on one "
        "body: `dialogue` (DailyDialog turns, previous two turns as context) and `comment` (standalone GoEmotions-"
        "Ekman Reddit comments; multi-label rows as split soft targets).",
        "DailyDialog train split (emotion labels; happiness -> joy, no emotion -> neutral) and GoEmotions-Ekman "
        "train.tsv; validation: DailyDialog validation and GoEmotions dev.tsv.",
        "`dialogue`: micro-F1 over the six non-neutral classes (DailyDialog's published metric); `comment`: "
        "macro-F1 over 7 classes on single-label rows.",
    ),
    "sentiment": (
        "Polarity (negative, neutral, positive) of a chat message read on its own, for work chat: failures, "
        "outages, thanks, launches. Used by `emojiml analyze` for every message's sentiment.",
        "se-sentiment: GitHub pull-request/commit comments (Novielli et al., MSR 2020) and Jira issue comments "
        "(Ortu et al., MSR 2016), train splits; 15% of each train split held out (seeded) to pick the epoch and "
        "tune the offsets, so the validation split stays unseen. The weights were trained on these data sets; "
        "cite the papers above.",
        "macro-F1 over the three classes on the held-out part of train (GitHub and Jira together); the validation "
        "figures per set come from `emojiml evaluate context` (see README).",
    ),
    "act": (
        "DailyDialog dialogue act (inform, question, directive, commissive) of a chat message, with the turns "
        "around it as context.",
        "DailyDialog train split (act labels); validation: DailyDialog validation.",
        "accuracy.",
    ),
}


_LIMITS = {
    "emotion": "English only (non-English and emoji-only messages are flagged and their probabilities flattened). "
    "DailyDialog is scripted, polite, textbook English; chat messages differ. Licenses: DailyDialog "
    "CC BY-NC-SA 4.0 (weights derived from it are for non-commercial use), GoEmotions Apache-2.0.",
    "sentiment": "English only (emoji-only and non-English messages, and messages of only names and emoji, are "
    "scored by VADER and their emoji instead). "
    "Developers' review and issue comments, rated by researchers: terse team chat, sarcasm and in-jokes differ; "
    'the raters read "sorry" as negative and "thanks" as positive. Rights stay with the data sets\' authors '
    "(research use; cite Novielli et al. 2020 and Ortu et al. 2016).",
}


def _data(name: str, training: dict) -> str:
    share = training.get("tuning_share")
    if name == "act" and share:
        return (
            f"DailyDialog train split (act labels); {share:.0%} of its dialogues held out (seeded) to pick the epoch "
            "and tune the offsets, so the validation split stays unseen."
        )
    if name == "emotion" and share:
        return (
            "DailyDialog train split (emotion labels; happiness -> joy, no emotion -> neutral) and GoEmotions-Ekman "
            f"train.tsv; {share:.0%} of the dialogues and of the comments held out (seeded) to pick the epoch and "
            "tune the offsets, so the validation splits stay unseen."
        )
    return _ABOUT[name][1]


ACT_HEAD = (
    " A third head, `act`, reads DailyDialog's dialogue act (inform, question, directive, commissive) from the same "
    "turns (each training row's one forward pass serves both labels; acts are not class-weighted). `emojiml "
    "analyze` reads acts from the act model (`act.safetensors`); an analyser given this model as its act model too "
    "(`ContextAnalyzer(emotion_model=m, act_model=m)`) reads both from one forward pass."
)


def write_model_card(model: ContextClassifier, name: str, directory: Path, command: str) -> Path:
    what, _, metric = _ABOUT[name]
    config = model.config
    if name == "emotion" and "act" in config.heads:
        what += ACT_HEAD
        metric += " `act`: accuracy."
    size_mb = (directory / f"{name}.safetensors").stat().st_size / 1e6
    lines = [
        f"# {name} classifier",
        "",
        what,
        "",
        "## Model",
        "An MLP (one hidden layer of "
        f"{config.hidden}, GELU, dropout {config.dropout}) over frozen all-MiniLM-L6-v2 sentence embeddings of the "
        "turn, the previous turn, their product and the turn before"
        + (", and the next turn" if config.next_turn else "")
        + " (zeros where the conversation has no such turn); 15 cues (?, !, position, VADER scores, length, "
        f"capitals, emoji); and a mean bag of hashed word 1-3-grams ({config.buckets} buckets x {config.ngram_dim}, "
        "stored in float16)"
        + (
            "; the n-grams also hold the last sentence's words, its first two words and the number of sentences, "
            "and the first two words of the previous turn's last sentence"
            if config.sentence_ngrams
            else ""
        )
        + (", plus a linear path from the hashed n-grams straight to each head's logits" if config.wide else "")
        + (
            f". A bidirectional GRU ({config.sequence} per direction) reads the hidden vectors of all the turns of "
            "the message's conversation in order, and the head sees its output beside the turn's own hidden vector"
            if config.sequence
            else ""
        )
        + (
            f". The turn's own vector comes from the model's own copy of the encoder's last {config.tuned_layers} "
            "transformer layer(s), initialised from the encoder and fine-tuned with the MLP (`emojiml/text/"
            "encoder_top.py`): the encoder's lower layers stay frozen and shared, and run once per message"
            if config.tuned_layers
            else ""
        )
        + ". Per-class logit offsets tuned by a coarse grid on the tuning data named under Data (see `offsets`). "
        f"Checkpoint: `{name}.safetensors` ({size_mb:.1f} MB) + `{name}.json`. Code: `emojiml/text/classifier.py`, "
        "`features.py`, `train.py`.",
        "",
        "## Data",
        _data(name, config.training) + " Read from `settings().data_dir` (EMOJIML_DATA); no test split was used.",
        "",
        "## Training",
        f"Command: `{command}`",
        "",
        f"Hardware: {platform.machine()} CPU, {len(os.sched_getaffinity(0))} cores shared with other jobs, "
        f"1 torch thread; minutes (head training, excluding the one-off dataset encoding cached on disk): "
        f"{config.training.get('minutes')}. The one-off encoding of the data sets (about 144k texts, cached under "
        "`EMOJIML_CACHE/embeddings`) took about 45 minutes on the same shared CPU.",
        "",
        "```json",
        json.dumps(config.training, indent=2),
        "```",
        "",
        "## Validation metrics (percent)",
        f"Metric: {metric} `_raw` = before the tuned offsets.",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in config.metrics.items()),
        "",
        "Offsets: `" + json.dumps(config.offsets) + "`",
        "",
        "## Limits",
        _LIMITS.get(name, _LIMITS["emotion"]),
        "",
    ]
    path = directory / f"{name.upper()}_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path

"""One checkpoint module: every shipped model loads through it, and a truncated or corrupt file is one
``CheckpointError`` naming the file — in the library, as one CLI line, and as an ``st.error`` on the page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from emojiml import models
from emojiml.checkpoint import CheckpointError, load_weights, read_json, save_model
from emojiml.config import PACKAGE_DIR, settings
from emojiml.errors import EmojimlError
from emojiml.generate.gan import load_generator
from emojiml.recommend.content import ContentModel
from emojiml.recommend.emoji_tower import EmojiTower, EmojiTowerConfig
from emojiml.recommend.sparse_text import SparseTextClassifier
from emojiml.text.classifier import ContextClassifier

REPO = Path(__file__).resolve().parents[1]
ASSETS = PACKAGE_DIR / "assets"


def asset_copy(tmp_path: Path, broken: str, keep_bytes: int | None = 100) -> Path:
    """A folder that links every shipped asset except ``broken``, which is a copy cut to ``keep_bytes`` bytes
    (``None``: replaced by text that is not JSON)."""
    folder = tmp_path / "assets"
    folder.mkdir()
    for source in ASSETS.iterdir():
        if source.name != broken:
            (folder / source.name).symlink_to(source)
    data = (ASSETS / broken).read_bytes()
    (folder / broken).write_bytes(data[:keep_bytes] if keep_bytes is not None else b'{"labels": [')
    return folder


LOADERS = {
    "emotion.safetensors": lambda d: ContextClassifier.load(d, "emotion"),
    "act.json": lambda d: ContextClassifier.load(d, "act"),
    "content-tower.safetensors": lambda d: EmojiTower.load(d / "content-tower"),
    "content-sparse.safetensors": lambda d: SparseTextClassifier.load(d / "content-sparse"),
    "content-sparse.json": lambda d: SparseTextClassifier.load(d / "content-sparse"),
    "content.json": ContentModel.load,
    "gan.safetensors": lambda d: load_generator(d / "gan"),
}


@pytest.mark.parametrize("broken", sorted(LOADERS))
def test_a_truncated_file_is_a_checkpoint_error_naming_it(tmp_path, broken):
    folder = asset_copy(tmp_path, broken)
    with pytest.raises(CheckpointError) as caught:
        LOADERS[broken](folder)
    assert str(folder / broken) in str(caught.value)
    assert isinstance(caught.value, EmojimlError) and "\n" not in str(caught.value)


def test_save_then_load_round_trips_and_leaves_no_temporary_files(tmp_path):
    model = EmojiTower(EmojiTowerConfig(dim=8))
    with torch.no_grad():
        model.message.weight.normal_()
    model.save(tmp_path / "tower")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tower.json", "tower.safetensors"]
    loaded = EmojiTower.load(tmp_path / "tower")
    assert loaded.config == model.config
    assert torch.equal(loaded.message.weight, model.message.weight)


def test_a_checkpoint_of_other_shapes_is_refused(tmp_path):
    save_model(EmojiTower(EmojiTowerConfig(dim=8)), {}, tmp_path / "small")
    with pytest.raises(CheckpointError, match=r"small\.safetensors does not match its config \(tensor .* expected \(4"):
        load_weights(EmojiTower(EmojiTowerConfig(dim=4)), tmp_path / "small")


def test_json_that_is_not_an_object_is_refused(tmp_path):
    (tmp_path / "x.json").write_text("[1, 2]")
    with pytest.raises(CheckpointError, match=r"x\.json does not hold a JSON object"):
        read_json(tmp_path / "x.json")


def test_the_shipped_sparse_model_survives_a_save_and_load(tmp_path):
    model = SparseTextClassifier.load(ASSETS / "content-sparse")
    model.save(tmp_path / "sparse")
    again = SparseTextClassifier.load(tmp_path / "sparse")
    texts = ["happy birthday!!", "so sad today"]
    np.testing.assert_allclose(again.decision_function(texts), model.decision_function(texts), atol=1e-3)


def test_cli_prints_one_line_naming_a_truncated_emotion_model(tmp_path):
    folder = asset_copy(tmp_path, "emotion.safetensors")
    messages = tmp_path / "chat.txt"
    messages.write_text("hello there\n")
    env = {**os.environ, "EMOJIML_ASSETS": str(folder), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "emojiml", "analyze", "--input", str(messages)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert str(folder / "emotion.safetensors") in done.stderr


def test_context_page_shows_an_error_for_a_truncated_emotion_model(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("EMOJIML_ASSETS", str(asset_copy(tmp_path, "emotion.safetensors")))
    settings.cache_clear()
    models.emotion_classifier.cache_clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(REPO / "app_pages" / "context.py"), default_timeout=120).run()
        assert not at.exception
        assert any("emotion.safetensors" in error.value for error in at.error)
    finally:
        monkeypatch.delenv("EMOJIML_ASSETS")
        settings.cache_clear()
        models.emotion_classifier.cache_clear()
        st.cache_resource.clear()

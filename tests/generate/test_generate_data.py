from __future__ import annotations

import numpy as np
import pytest

from emojiml.generate.data import DatasetError, build_dataset, curated_emoji, holdout_keys, load_dataset


def test_curation_keeps_default_tone_and_drops_flags_and_keycaps(catalog):
    chosen = curated_emoji(catalog)
    assert all(e.skin_tone == 0 for e in chosen)
    assert not any(e.group == "flags" or e.subgroup == "keycap" for e in chosen)
    assert catalog.get("😂") in chosen and catalog.get("🍕") in chosen


def test_holdout_is_a_fixed_tenth_of_emoji():
    keys = [f"e{i}" for i in range(500)]
    held = holdout_keys(keys)
    assert len(held) == 50
    assert held == holdout_keys(reversed(keys))


def test_tiny_noto_dataset_has_rgba_images_and_metadata(tiny_dataset):
    images = tiny_dataset.images
    assert images.dtype == np.uint8 and images.shape[1:] == (64, 64, 4)
    assert tiny_dataset.hires.shape == (len(images), 128, 128, 4)
    assert (images[:, 0, 0, 3] == 0).all()  # transparent background kept
    assert (images[:, 32, 32, 3] > 0).mean() > 0.8  # the emoji fills the centre
    sample = tiny_dataset.samples[0]
    assert sample.style == "noto" and sample.name and sample.group and sample.text
    np.testing.assert_allclose(np.linalg.norm(tiny_dataset.text_vectors, axis=1), 1.0, atol=1e-4)


def test_holdout_split_is_by_emoji(tiny_dataset):
    train = {s.emoji for s in tiny_dataset.samples if s.split == "train"}
    held = {s.emoji for s in tiny_dataset.samples if s.split == "holdout"}
    assert held and train and not held & train


def test_dataset_round_trips_and_rejects_bad_input(tiny_dataset, tmp_path):
    again = load_dataset(tiny_dataset.root)
    assert again.samples == tiny_dataset.samples
    with pytest.raises(DatasetError, match="choose from noto, twemoji, openmoji, fluent"):
        build_dataset(tmp_path, sources=("apple",))
    with pytest.raises(DatasetError, match="needs --npm-dir with @iconify-json"):
        build_dataset(tmp_path, sources=("twemoji",), node_modules=None)
    with pytest.raises(DatasetError, match="build-dataset"):
        load_dataset(tmp_path / "missing")


def test_cli_rejects_unknown_sources_and_over_budget_training(tmp_path, capsys):
    from emojiml.cli import main

    assert main(["build-dataset", "--sources", "apple", "--out", str(tmp_path)]) == 2
    assert main(["train", "gan", "--minutes", "500", "--data", str(tmp_path)]) == 2
    assert main(["train", "vae", "--minutes", "1", "--data", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "choose from noto" in err and "--minutes must be" in err and "build-dataset" in err


def test_packed_copy_loads_like_the_original_with_training_pairs_only(tiny_dataset, tmp_path):
    from emojiml.generate.data import pack_dataset

    packed = load_dataset(pack_dataset(tiny_dataset.root, tmp_path / "packed", hires_limit=20, encode=_ones))
    np.testing.assert_array_equal(packed.images, tiny_dataset.images)
    assert packed.samples == tiny_dataset.samples
    np.testing.assert_allclose(packed.text_vectors, tiny_dataset.text_vectors, atol=1e-3)  # float16 on the way
    assert len(packed.hires_index) == 20 and set(packed.hires_index) <= set(tiny_dataset.indices("train"))
    np.testing.assert_array_equal(packed.hires, tiny_dataset.hires[packed.hires_index])
    assert (tmp_path / "packed" / "prompt_vectors.json").exists()


def test_svg_sets_render_every_style_when_installed(tmp_path):
    from pathlib import Path

    from emojiml.catalog import default_catalog
    from emojiml.generate.data import IconifyReader
    from emojiml.generate.vectors import icon_sets

    node_modules = Path("build/npm-vectors/node_modules")
    if not (node_modules / "@iconify-json").is_dir():
        pytest.skip("the @iconify-json sets are not installed (make dataset)")
    cat = default_catalog().get("🐱")
    for style in icon_sets():
        image = IconifyReader(node_modules, style).render(cat, 64)
        alpha = np.asarray(image.getchannel("A"))
        assert image.size == (64, 64) and alpha[0, 0] == 0 and alpha[32, 32] > 200, style


def _ones(texts):
    return np.ones((len(texts), 384), dtype=np.float32) / np.sqrt(384)

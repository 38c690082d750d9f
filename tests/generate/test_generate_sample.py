"""The sampling API and CLI on the shipped models: sizes, alpha, file limits and every kind of bad input."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from emojiml.cli import main
from emojiml.generate.sample import (
    MAX_FILE_BYTES,
    GenerationInputError,
    generate_emoji,
    gif_bytes,
    interpolate_emoji,
    png_bytes,
)


@pytest.mark.parametrize("model", ["gan", "vae"])
def test_generate_returns_n_transparent_128px_images(model):
    images = generate_emoji("cat face", style="twemoji", n=3, seed=1, model=model)
    assert len(images) == 3
    for image in images:
        assert image.mode == "RGBA" and image.size == (128, 128)
        alpha = np.asarray(image.getchannel("A"))
        assert alpha[0, 0] < 32 and alpha.max() > 200  # transparent corner, opaque drawing
        assert len(png_bytes(image)) <= MAX_FILE_BYTES


def test_seeds_are_reproducible_and_vary():
    first = [np.asarray(i) for i in generate_emoji("pizza", n=2, seed=7)]
    again = [np.asarray(i) for i in generate_emoji("pizza", n=2, seed=7)]
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], first[1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt": ""}, "prompt is empty"),
        ({"prompt": "x" * 10_000}, "keep it under"),
        ({"prompt": "cat", "style": "apple"}, "choose one of: noto, twemoji, openmoji"),
        ({"prompt": "cat", "group": "cats"}, "choose one of: activities"),
        ({"prompt": "cat", "n": 0}, "1 to 64"),
        ({"prompt": "cat", "n": 10**6}, "1 to 64"),
        ({"prompt": "cat", "model": "diffusion"}, "choose one of: gan, vae"),
    ],
)
def test_bad_generation_input_is_a_clear_error(kwargs, message):
    with pytest.raises(GenerationInputError, match=message):
        generate_emoji(**kwargs)


def test_interpolation_from_emoji_and_png_makes_a_small_gif(tmp_path):
    png = tmp_path / "start.png"
    generate_emoji("rocket", n=1)[0].save(png)
    frames = interpolate_emoji(str(png), "🍕", steps=12)
    assert len(frames) == 12 and all(f.size == (128, 128) and f.mode == "RGBA" for f in frames)
    data = gif_bytes(frames)
    assert len(data) <= MAX_FILE_BYTES
    with Image.open(BytesIO(data)) as gif:
        assert gif.is_animated and gif.size == (128, 128)


def test_interpolation_rejects_non_images_and_huge_pngs(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(GenerationInputError, match="not an image"):
        interpolate_emoji(str(text), "😀")
    huge = tmp_path / "huge.png"
    Image.new("RGBA", (3000, 3000), (255, 0, 0, 255)).save(huge)
    with pytest.raises(GenerationInputError, match="up to 2048x2048"):
        interpolate_emoji(str(huge), "😀")
    with pytest.raises(GenerationInputError, match="is not a file"):
        interpolate_emoji("no such emoji or file", "😀")


def test_cli_generate_and_interpolate_write_files(tmp_path, capsys):
    assert main(["generate", "--prompt", "blue heart", "--n", "2", "--out", str(tmp_path / "out")]) == 0
    files = sorted((tmp_path / "out").glob("*.png"))
    assert len(files) == 2 and all(f.stat().st_size <= MAX_FILE_BYTES for f in files)
    gif = tmp_path / "morph.gif"
    assert main(["interpolate", "--from", "😀", "--to", "🐱", "--steps", "6", "--out", str(gif)]) == 0
    assert 0 < gif.stat().st_size <= MAX_FILE_BYTES
    assert main(["generate", "--prompt", "cat", "--style", "apple", "--out", str(tmp_path)]) == 2
    assert "choose one of" in capsys.readouterr().err

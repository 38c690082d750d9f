"""The Interpolate page's latent walks: slerp, attributes, uploads, the GIF's limits and the PCA map."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
import torch
from PIL import Image

from emojiml.catalog import default_catalog
from emojiml.errors import EmojimlError
from emojiml.generate import latent
from emojiml.generate.sample import MAX_FILE_BYTES


@pytest.fixture(scope="module")
def ends():
    catalog = default_catalog()
    return latent.catalog_endpoint(catalog.get("😀")), latent.catalog_endpoint(catalog.get("🐱"))


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_slerp_keeps_the_ends_and_walks_the_norm_between_them():
    a, b = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 1.0])
    path = latent.slerp(a, b, torch.linspace(0, 1, 5)[:, None])
    torch.testing.assert_close(path[0], a)
    torch.testing.assert_close(path[-1], b)
    torch.testing.assert_close(path.norm(dim=1), torch.linspace(3, 1, 5))
    straight = latent.interpolate_codes(a, b, 5, "linear")
    assert straight[2].norm() < path[2].norm(), "a straight line cuts towards the origin; the arc does not"


@pytest.mark.parametrize(
    ("steps", "mode", "message"), [(1, "linear", "2 to 24"), (25, "linear", "2 to 24"), (4, "cubic", "Unknown")]
)
def test_bad_walks_are_refused(steps, mode, message):
    with pytest.raises(EmojimlError, match=message):
        latent.interpolate_codes(torch.zeros(3), torch.ones(3), steps, mode)


def test_attributes_parse_signs_and_bare_words():
    assert latent.parse_attributes("+ hearts, − smile, -tears") == [("hearts", 1.0), ("smile", -1.0), ("tears", -1.0)]
    assert latent.parse_attributes("sunglasses") == [("sunglasses", 1.0)]
    assert latent.parse_attributes("  ") == []
    with pytest.raises(EmojimlError, match="Write attributes"):
        latent.parse_attributes("+ 123")


def test_attribute_directions_come_from_keywords():
    dz, dc = latent.attribute_direction("sunglasses")
    assert np.linalg.norm(dz) > 0 and np.linalg.norm(dc) > 0
    assert {e.char for e in latent.attribute_examples("sunglasses")} >= {"😎"}
    with pytest.raises(EmojimlError, match="real emoji carry 'qwertyx'"):
        latent.attribute_direction("qwertyx")


def test_a_16_frame_morph_makes_a_small_gif_within_a_second(ends):
    latent.morph(*ends, 16)  # warm
    started = time.perf_counter()
    morph = latent.morph(*ends, 16, "spherical", [("hearts", 1.0)])
    animation = latent.animation_gif(morph)
    seconds = time.perf_counter() - started
    assert len(morph.frames) == 16 and {f.size for f in morph.frames} == {(128, 128)}
    assert len(animation) <= MAX_FILE_BYTES and Image.open(io.BytesIO(animation)).n_frames == 30
    assert morph.coords.shape == (16, 2)
    assert seconds < 5, f"{seconds:.2f} s (the target is 1 s on an idle CPU; this guards against regressions)"


def test_an_attribute_changes_the_frames(ends):
    plain = np.asarray(latent.morph(*ends, 2).frames[0], dtype=float)
    hearts = np.asarray(latent.morph(*ends, 2, attributes=[("hearts", 1.0)]).frames[0], dtype=float)
    assert np.abs(plain - hearts).mean() > 2


def test_the_same_a_and_b_are_refused(ends):
    with pytest.raises(EmojimlError, match="same emoji"):
        latent.morph(ends[0], latent.catalog_endpoint(default_catalog().get("😀")), 8)


def test_uploads_are_checked(ends):
    good = png(ends[1].image)
    end = latent.upload_endpoint(good, "cat.png")
    assert end.z.shape == ends[1].z.shape and end.label == "cat.png"
    assert latent.morph(ends[0], end, 4).frames
    with pytest.raises(EmojimlError, match="not an image"):
        latent.upload_endpoint(b"%PDF-1.4 not a picture", "notes.pdf")
    with pytest.raises(EmojimlError, match="up to 2 MB"):
        latent.upload_endpoint(b"\x89PNG" + b"0" * (latent.MAX_UPLOAD_BYTES + 1), "huge.png")
    with pytest.raises(EmojimlError, match="fully transparent"):
        latent.upload_endpoint(png(Image.new("RGBA", (64, 64))), "empty.png")
    with pytest.raises(EmojimlError, match="same emoji"):
        latent.morph(end, latent.upload_endpoint(good, "again.png"), 4)


def test_the_map_projects_real_emoji_and_the_path():
    from emojiml import charts

    atlas = latent.latent_atlas()
    assert atlas.coords.shape == (len(atlas.entries), 2) and sum(atlas.explained) < 1
    np.testing.assert_allclose(atlas.project(atlas.z[:3]), atlas.coords[:3], atol=1e-4)
    figure = charts.latent_map(
        atlas.coords, [e.group for e in atlas.entries], [e.char for e in atlas.entries], atlas.coords[:4], ()
    )
    assert figure.data[-1].name == "interpolation" and len(figure.data[-1].x) == 4

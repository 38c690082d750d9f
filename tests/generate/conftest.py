"""A tiny real data set for the generate tests: the first 120 curated emoji drawn with the Noto font (which
`make` installs), at 64 px with 128 px copies (the upscaler's targets), so no test needs npm or the network."""

from __future__ import annotations

import pytest

from emojiml.generate.data import NOTO_FONT


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory):
    if not NOTO_FONT.exists():
        pytest.skip("fonts-noto-color-emoji is not installed (make setup installs it)")
    from emojiml.generate.data import build_dataset

    return build_dataset(tmp_path_factory.mktemp("dataset"), sources=("noto",), size=64, hires=128, limit=120)

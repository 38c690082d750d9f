"""The shared vector source: loading, license checks, malformed icons skipped and counted, crisp rendering."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emojiml.generate import vectors
from emojiml.generate.vectors import VectorSourceError, installed_icon_sets, load_icon_set, render_svg


def _package(root, folder="noto", spdx="Apache-2.0", icons=None):
    directory = root / folder
    directory.mkdir(parents=True)
    (directory / "info.json").write_text(json.dumps({"license": {"spdx": spdx}, "author": {"name": "t"}}))
    (directory / "package.json").write_text(json.dumps({"version": "9.9.9"}))
    (directory / "chars.json").write_text(json.dumps({"1f600": "grinning-face"}))
    body = '<circle cx="8" cy="8" r="6" fill="#fc0"/>'
    icons = icons or {"grinning-face": {"body": body}, "broken": {"body": '<path d="M0 0"'}, "empty": {"body": ""}}
    (directory / "icons.json").write_text(
        json.dumps({"width": 16, "height": 16, "icons": icons, "aliases": {"mirror": {"parent": "grinning-face"}}})
    )
    return root


def test_malformed_icons_are_skipped_and_counted(tmp_path, catalog):
    icon_set = load_icon_set("noto", _package(tmp_path))
    assert set(icon_set.skipped) == {"broken", "empty"}
    assert "mirror" in icon_set and len(icon_set) == 2
    assert icon_set.slug_for(catalog.get("😀")) == "grinning-face"
    assert icon_set.version == "9.9.9"


def test_a_package_with_another_license_is_refused(tmp_path):
    with pytest.raises(VectorSourceError, match=r"declares license 'GPL-3\.0'"):
        load_icon_set("noto", _package(tmp_path, spdx="GPL-3.0"))


def test_missing_package_and_unknown_style_say_what_to_do(tmp_path):
    with pytest.raises(VectorSourceError, match="make vectors"):
        load_icon_set("twemoji", tmp_path)
    with pytest.raises(VectorSourceError, match="Unknown vector style"):
        load_icon_set("apple", tmp_path)


def test_render_svg_is_square_transparent_and_rejects_bad_markup():
    wide = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10" fill="red"/></svg>'
    image = render_svg(wide, 64)
    alpha = np.asarray(image)[..., 3]
    assert image.size == (64, 64) and image.mode == "RGBA"
    assert alpha[0, 0] == 0 and alpha[32, 32] == 255  # fitted and centred, background left transparent
    with pytest.raises(VectorSourceError):
        render_svg("<svg xmlns='http://www.w3.org/2000/svg'><path d=", 64)
    with pytest.raises(VectorSourceError):
        render_svg("not svg", 64)


@pytest.mark.skipif(not installed_icon_sets(), reason="vector packages not installed (make vectors)")
@pytest.mark.parametrize("style", installed_icon_sets())
def test_installed_sets_render_real_emoji(style, catalog):
    icon_set = load_icon_set(style)
    assert icon_set.license == vectors.PACKAGES[style][1]
    assert len(icon_set) > 3000 and not icon_set.skipped
    slug = icon_set.slug_for(catalog.get("😭"))
    assert slug == "loudly-crying-face"
    alpha = np.asarray(icon_set.render(slug, 128))[..., 3]
    assert alpha[0, 0] == 0 and (alpha > 0).mean() > 0.3

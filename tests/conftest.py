"""Test settings: a throw-away EMOJIML_HOME per session, and a persistent, git-ignored embedding cache so
repeated local runs skip re-encoding the catalog (CI encodes it once per run)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    home = Path(config._tmp_path_factory.mktemp("emojiml-home")) if hasattr(config, "_tmp_path_factory") else None
    if home is None:
        import tempfile

        home = Path(tempfile.mkdtemp(prefix="emojiml-home-"))
    os.environ["EMOJIML_HOME"] = str(home)
    os.environ.setdefault("EMOJIML_CACHE", str(REPO / ".emojiml" / "cache"))
    from emojiml.config import settings

    settings.cache_clear()


@pytest.fixture(scope="session")
def catalog():
    from emojiml.catalog import default_catalog

    return default_catalog()


@pytest.fixture(scope="session")
def search():
    from emojiml import models

    return models.emoji_search()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: the unit tests warm the embedding cache they start from."""
    items.sort(key=lambda item: "e2e" in item.keywords)

"""The name of the recommender that produced a suggestion, stored with each piece of feedback.

Why a version: acceptance only says whether a change helped if every vote says which model it was cast on.
The product hybrid is refitted whenever an import changes the workspace (its ``revision``) and otherwise
depends only on the shipped content model, so those two identify it. A vote cast on an earlier revision or
an earlier content model names a version that no longer exists; analytics show it as such.
"""

from __future__ import annotations

import functools
import hashlib

from emojiml.config import settings

CONTENT_CONFIG = "content.json"


@functools.cache
def content_model_digest() -> str:
    """First 8 hex digits of the shipped content model's config (its training run and ensemble settings)."""
    path = settings().asset_dir / CONTENT_CONFIG
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8] if path.exists() else "missing"


def model_version(revision: int) -> str:
    """``hybrid@r3+content-1a2b3c4d``: the hybrid fitted on workspace revision 3 with that content model."""
    return f"hybrid@r{revision}+content-{content_model_digest()}"

"""One typed settings object. Environment variables are read here and nowhere else.

Why one place: pages, the CLI and the tests all need the same answers to "where is the data, where
do caches go, which database" — and a test can point everything at a temp dir by setting env vars.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


@dataclass(frozen=True)
class Settings:
    """Where emojiml reads and writes. Every field can be overridden by an ``EMOJIML_*`` variable."""

    data_dir: Path
    """Real training/evaluation data (``EMOJIML_DATA``); never copied into the repo."""
    asset_dir: Path
    """Small derived files the product ships (catalog table, checkpoints, model cards); ``EMOJIML_ASSETS``
    points elsewhere (a test's copy with one file truncated, a freshly trained set)."""
    home_dir: Path
    """Writable state: database, caches (``EMOJIML_HOME``)."""
    cache_dir: Path
    """Recomputable caches such as catalog embeddings (``EMOJIML_CACHE``)."""
    database_url: str
    """SQLAlchemy URL of the workspace store (``EMOJIML_DATABASE_URL``); SQLite under home by default."""
    device: str
    """Torch device for inference and training (``EMOJIML_DEVICE``); CPU unless told otherwise."""
    encoder_precision: str
    """``auto``, ``fp32`` or ``bf16`` for the sentence encoder's matrix products (``EMOJIML_ENCODER_PRECISION``).
    ``auto`` is bf16 on a CPU with native bf16 instructions (1.6x the throughput here, cosine to fp32 ≥ 0.9999)."""

    cpu_threads: int | None = None
    """Threads each matrix library may use for one call: torch's intra-op pool and numpy's BLAS
    (``EMOJIML_CPU_THREADS``; 0 leaves both at their defaults, one per core). Unset, the app uses 1 and the CLI
    the defaults. Why 1 in the app: it serves small batches (8 emoji, one prompt, one message) to several sessions
    on a 2-core CPU, where a second thread spins waiting for a core instead of working. Measured under load
    (``emojiml bench --only studio``): an 8-emoji Generate for the GAN took 0.99 s with torch's 2 threads and 0.19
    s with 1; one (1640 x 384) @ (384,) product in numpy's OpenBLAS took 8 ms of CPU with 2 threads and 0.07 ms
    with 1. Why not in the CLI: its batch commands are one job on the machine; on the idle 2-core machine one
    thread cut batch suggest from 395 to 228 messages/s and batch analysis from 167 to 130 (``emojiml bench``).
    Training commands set their own ``--threads``. Applied by ``models.limit_cpu_threads``."""

    auth_mode: str = "none"
    """Who may open the app (``EMOJIML_AUTH``): ``none`` (single user, loopback only), ``local`` accounts with
    passwords, or ``oidc`` through the provider configured in ``.streamlit/secrets.toml``."""

    store_message_text: bool = True
    """Privacy option (``EMOJIML_STORE_TEXT=0``): imports keep emoji events, authors and times but no message
    text, so the message-aware recommenders and the Context page have nothing to read for that workspace."""

    @property
    def sqlite_path(self) -> Path:
        return self.home_dir / "emojiml.db"


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


@cache
def settings() -> Settings:
    """The process-wide settings, read once. Tests call ``settings.cache_clear()`` after changing env."""
    home = _path_from_env("EMOJIML_HOME", Path.home() / ".local" / "share" / "emojiml")
    data_default = (REPO_DIR.parent / "shared" / "data").resolve()
    default_db = f"sqlite:///{home / 'emojiml.db'}"
    return Settings(
        data_dir=_path_from_env("EMOJIML_DATA", data_default),
        asset_dir=_path_from_env("EMOJIML_ASSETS", PACKAGE_DIR / "assets"),
        home_dir=home,
        cache_dir=_path_from_env("EMOJIML_CACHE", home / "cache"),
        database_url=os.environ.get("EMOJIML_DATABASE_URL", "").strip() or default_db,
        device=os.environ.get("EMOJIML_DEVICE", "cpu").strip() or "cpu",
        encoder_precision=_choice_from_env("EMOJIML_ENCODER_PRECISION", ENCODER_PRECISIONS),
        cpu_threads=_count_from_env("EMOJIML_CPU_THREADS", None),
        auth_mode=_choice_from_env("EMOJIML_AUTH", AUTH_MODES),
        store_message_text=_choice_from_env("EMOJIML_STORE_TEXT", ("1", "0")) == "1",
    )


ENCODER_PRECISIONS = ("auto", "fp32", "bf16")
AUTH_MODES = ("none", "local", "oidc")


def _choice_from_env(name: str, choices: tuple[str, ...]) -> str:
    """The variable's value if it is one of ``choices`` (the first is the default); a clear error otherwise."""
    value = os.environ.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value


def _count_from_env(name: str, default: int | None) -> int | None:
    """A whole number of 0 or more from the variable, ``default`` when unset; a clear error otherwise."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ValueError(f"{name}={value!r} is not a whole number of 0 or more.")
    return int(value)

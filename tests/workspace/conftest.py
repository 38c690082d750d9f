"""Fixtures for the workspace tests: small real exports built from the shipped (MIT) demo export, fresh
stores, and a real PostgreSQL server started for the session.

PostgreSQL: Debian's binaries (``/usr/lib/postgresql/*/bin``) run ``initdb`` + ``pg_ctl`` in a temp dir on a
free loopback port. ``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user
(``runuser``). As root (CI, ``make test``) a server that cannot start FAILS the tests; only a non-root
developer without the binaries gets a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from emojiml.workspace.archive import read_path
from emojiml.workspace.demo import demo_export_path
from emojiml.workspace.store import WorkspaceStore


@pytest.fixture(scope="session")
def demo_files() -> dict[str, bytes]:
    """The shipped demo export (Houston Data Visualization Slack, MIT), unpacked in memory."""
    return read_path(demo_export_path()).files


@pytest.fixture(scope="session")
def small_export(demo_files) -> dict[str, bytes]:
    """Three real channels of the demo export (with users.json and channels.json): a few hundred messages."""
    keep = ("users.json", "channels.json", "general/", "datasets/", "tools/")
    return {name: data for name, data in demo_files.items() if name.startswith(keep)}


@pytest.fixture
def sqlite_store(tmp_path) -> WorkspaceStore:
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'store.db'}")
    yield store
    store.dispose()


# ----------------------------------------------------------------------------- PostgreSQL
def _postgres_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL server for this test session; yields a SQLAlchemy URL to an empty database."""
    is_root = os.geteuid() == 0
    bindir = _postgres_bindir()
    if bindir is None:
        if is_root:
            pytest.fail("PostgreSQL binaries not found: install Debian's postgresql (`make test` does, TEST_DEBS).")
        pytest.skip("no PostgreSQL binaries, and not root to install them")
    workdir = Path(tempfile.mkdtemp(prefix="emojiml-pg-"))
    run_as: list[str] = []
    if is_root:
        postgres = pwd.getpwnam("postgres")
        os.chown(workdir, postgres.pw_uid, postgres.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, log, port = workdir / "data", workdir / "server.log", _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*run_as, *args], capture_output=True, text=True, timeout=120, cwd=workdir)
        if done.returncode != 0:
            server_log = log.read_text() if log.exists() else ""
            pytest.fail(f"PostgreSQL did not start: {' '.join(args)}\n{done.stdout}\n{done.stderr}\n{server_log}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -F"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start")
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE emojiml_test")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/emojiml_test"
    finally:
        if (data / "postmaster.pid").exists():
            stop = [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
            subprocess.run(stop, check=False, capture_output=True, cwd=workdir)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def postgres_store(postgres_url) -> WorkspaceStore:
    store = WorkspaceStore(postgres_url)
    with store.engine.begin() as connection:  # a clean database per test
        from emojiml.workspace.store import metadata

        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    yield store
    store.dispose()

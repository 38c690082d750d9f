"""The Discord import path at size: the synthetic export the bench imports, exact counts without ``count(*)``,
and the cycle collector paused only while an import runs."""

from __future__ import annotations

import gc

import pytest

from emojiml.workspace import EmptyExportError, import_path
from emojiml.workspace.synthetic import DISCORD_TEXTS, synthetic_discord_export


def test_the_synthetic_discord_export_imports_every_message_and_reaction(tmp_path, sqlite_store):
    path = tmp_path / "large-discord.json"
    path.write_bytes(synthetic_discord_export(60, reactors=10, people=40))
    report = import_path(path, "big", store=sqlite_store)
    inline = sum(1 for i in range(60) if any(c in DISCORD_TEXTS[i % len(DISCORD_TEXTS)] for c in "🎉😂<"))
    assert (report.messages_added, report.reactions_added, report.inline_added) == (60, 600, inline)
    assert sqlite_store.counts("big").reactions == 600


def test_a_partly_stored_export_counts_only_the_rows_it_adds(tmp_path, sqlite_store):
    """The batch's driver row count is what was new: the first half stored, the whole adds the second half."""
    half, whole = tmp_path / "half.json", tmp_path / "whole.json"
    half.write_bytes(synthetic_discord_export(30, reactors=4, people=20))
    whole.write_bytes(synthetic_discord_export(60, reactors=4, people=20))
    first = import_path(half, "big", store=sqlite_store)
    second = import_path(whole, "big", store=sqlite_store)
    assert second.messages_added == 60 - first.messages_added == 30
    assert second.reactions_added == 60 * 4 - first.reactions_added
    assert import_path(whole, "big", store=sqlite_store).events_added == 0


def test_the_cycle_collector_runs_again_after_an_import_even_a_failed_one(tmp_path, sqlite_store):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"channel": {"name": "x"}, "messages": []}')
    assert gc.isenabled()
    with pytest.raises(EmptyExportError, match="no messages"):
        import_path(bad, "empty", store=sqlite_store)
    assert gc.isenabled()
    good = tmp_path / "good.json"
    good.write_bytes(synthetic_discord_export(3))
    import_path(good, "good", store=sqlite_store)
    assert gc.isenabled()

"""Slack importer: the shared real exports give the published counts; variants and emoji names resolve."""

from __future__ import annotations

import json

import pytest

from emojiml.catalog import default_catalog
from emojiml.config import settings
from emojiml.workspace.archive import ExportFiles, read_path
from emojiml.workspace.emoji_names import EmojiNames
from emojiml.workspace.importer import parse_export
from emojiml.workspace.slack import parse_slack
from tests.workspace.builders import slack_day

EXPORTS = settings().data_dir / "slack-exports"
needs_exports = pytest.mark.skipif(not EXPORTS.is_dir(), reason="shared Slack exports not present (EMOJIML_DATA)")


def parse(files: dict[str, bytes]):
    return parse_slack(files, EmojiNames(default_catalog()))


@needs_exports
def test_r_contributors_gives_the_published_reaction_counts():
    parsed = parse_export(read_path(EXPORTS / "r-contributors-slack"))
    reactions = [e for e in parsed.events if e.kind == "reaction"]
    assert len(parsed.messages) == 12_564
    assert len(reactions) == 4_874
    assert len({e.user for e in reactions}) == 302
    assert len({e.emoji for e in reactions}) == 143
    custom = {e.emoji for e in reactions if e.is_custom}
    assert len(custom) == 7 and ":partyr:" in custom


@needs_exports
@pytest.mark.parametrize(
    ("folder", "layout", "messages", "reactions"),
    [
        ("houstondatavis-slack", "slack", 1_382, 199),
        ("digitalrebar-slack", "slack", 24_399, 471),
        ("haskell-jp-slack", "slack-log", 24_924, 0),
    ],
)
def test_every_shared_export_imports(folder, layout, messages, reactions):
    parsed = parse_export(read_path(EXPORTS / folder))
    assert parsed.format == layout
    assert len(parsed.messages) == messages
    assert sum(e.kind == "reaction" for e in parsed.events) == reactions
    assert any(e.kind == "inline" for e in parsed.events)


def test_skin_tones_are_stripped_and_kept_apart(catalog):
    day = slack_day(
        {
            "ts": "1500000000.000100",
            "user": "U1",
            "text": "shipped",
            "reactions": [
                {"name": "+1::skin-tone-4", "users": ["U2"], "count": 1},
                {"name": "thumbsup", "users": ["U2", "U3"], "count": 2},
            ],
        }
    )
    parsed = parse({"general/2017-07-14.json": day})
    assert {(e.user, e.emoji) for e in parsed.events} == {("U2", "👍"), ("U3", "👍")}  # one per reactor and emoji
    assert catalog.get("+1::skin-tone-4").skin_tone == 3


def test_slack_names_resolve_to_slack_emoji(catalog):
    names = EmojiNames(catalog)
    assert names.name("point_up")[0] == "☝"  # not 👆 (point_up_2), which an alias used to shadow
    assert names.name("point_up_2")[0] == "👆"
    assert names.name("partyr") == (":partyr:", True, 0)
    assert names.name("no such thing!") is None


def test_inline_emoji_from_shortcodes_and_unicode_once_per_message():
    day = slack_day(
        {"ts": "1500000000.000200", "user": "U1", "text": "party :tada: 🎉 :TADA: and std::vector::size :nope:"},
        {"ts": "1500000001.000200", "user": "U1", "text": "a :partyr: reaction", "reactions": []},
        {"ts": "1500000002.000200", "user": "U2", "text": "x", "reactions": [{"name": "partyr", "users": ["U1"]}]},
        {"ts": "1500000003.000200", "subtype": "bot_message", "bot_id": "B1", "text": "build ok :tada:"},
    )
    parsed = parse({"general/2017-07-14.json": day})
    inline = sorted((e.message_id, e.emoji) for e in parsed.events if e.kind == "inline")
    assert inline == [("1500000000.000200", "🎉"), ("1500000001.000200", ":partyr:")]


def test_missing_users_json_takes_names_from_messages():
    day = slack_day(
        {"ts": "1500000000.000300", "user": "U9", "text": "hi", "user_profile": {"display_name": "ada"}},
    )
    parsed = parse({"export/random/2017-07-14.json": day})
    assert parsed.users["U9"] == ("ada", False)
    assert parsed.channels == {"random": "random"}


def test_slack_log_layout_merges_thread_files_and_names_users():
    page = slack_day({"ts": "1600000000.000001", "user": "U1", "text": "question :thinking_face:"})
    thread = slack_day(
        {"ts": "1600000000.000001", "user": "U1", "text": "question :thinking_face:"},
        {"ts": "1600000100.000001", "user": "U2", "text": "answer 👍"},
    )
    parsed = parse(
        {
            "docs/json/.users.json": json.dumps({"U1": "taro", "U2": "hanako"}).encode(),
            "docs/json/C4LFB6DE0/1.json": page,
            "docs/json/C4LFB6DE0/1/1600000000.000001.json": thread,
        }
    )
    assert parsed.format == "slack-log"
    assert len(parsed.messages) == 2
    assert {e.emoji for e in parsed.events} == {"🤔", "👍"}
    assert parsed.users["U2"] == ("hanako", False)


def test_demo_export_parses_with_its_published_counts(demo_files):
    parsed = parse_export(ExportFiles(demo_files, "demo", "demo"))
    reactions = [e for e in parsed.events if e.kind == "reaction"]
    assert (len(parsed.messages), len(reactions), len({e.user for e in reactions})) == (1_382, 199, 17)

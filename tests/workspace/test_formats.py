"""Discord (DiscordChatExporter JSON) and CSV imports, and format recognition from the bytes."""

from __future__ import annotations

import json

from emojiml.workspace import import_upload
from tests.workspace.builders import zip_bytes

DISCORD_CHANNEL = {
    "guild": {"id": "100", "name": "Rust Community"},
    "channel": {"id": "200", "type": "GuildTextChat", "category": "chat", "name": "general"},
    "messages": [
        {
            "id": "9001",
            "type": "Default",
            "timestamp": "2024-03-01T09:15:00.123+01:00",
            "content": "release is out 🚀 <:ferris:123456>",
            "author": {"id": "1", "name": "ana", "nickname": "Ana", "isBot": False},
            "reactions": [
                {
                    "emoji": {"id": "", "name": "🎉", "code": "tada", "isAnimated": False},
                    "count": 2,
                    "users": [{"id": "2", "name": "bo"}, {"id": "3", "name": "cy"}],
                },
                {
                    "emoji": {"id": "555", "name": "ferris_party", "code": "ferris_party", "isAnimated": True},
                    "count": 1,
                    "users": [{"id": "2", "name": "bo"}],
                },
                {
                    "emoji": {"id": "556", "name": "party", "code": "party", "isAnimated": False},
                    "count": 1,
                    "users": [{"id": "2", "name": "bo"}],
                },
                {
                    "emoji": {"id": "", "name": "👍🏽", "code": "thumbsup_tone3", "isAnimated": False},
                    "count": 1,
                    "users": [{"id": "3", "name": "cy"}],
                },
            ],
        }
    ],
}


def test_discord_reactions_and_custom_emoji(sqlite_store):
    data = json.dumps(DISCORD_CHANNEL).encode()
    report = import_upload(data, "general.json", "rust", store=sqlite_store)
    assert report.format == "discord"
    events = sqlite_store.events_frame("rust")
    got = {(row.user, row.kind, row.emoji, row.is_custom) for row in events.itertuples()}
    assert got == {
        ("2", "reaction", "🎉", False),
        ("3", "reaction", "🎉", False),
        ("2", "reaction", ":ferris_party:", True),
        ("2", "reaction", ":party:", True),  # a server emoji named like 🎉's alias stays the server's
        ("3", "reaction", "👍", False),
        ("1", "inline", "🚀", False),
        ("1", "inline", ":ferris:", True),
    }
    assert events["timestamp"].iloc[0].isoformat() == "2024-03-01T08:15:00.123000+00:00"  # stored in UTC
    assert set(sqlite_store.users("rust")["name"]) == {"Ana", "bo", "cy"}


def test_discord_export_of_several_channels_in_a_zip(sqlite_store):
    other = {**DISCORD_CHANNEL, "channel": {"id": "201", "name": "help"}}
    data = zip_bytes({"general.json": json.dumps(DISCORD_CHANNEL).encode(), "help.json": json.dumps(other).encode()})
    import_upload(data, "discord-export.zip", "rust", store=sqlite_store)
    assert sqlite_store.channels("rust") == ["general", "help"]


def test_csv_with_optional_columns(sqlite_store):
    data = (
        "User,Emoji,Timestamp,Channel,Kind,Message\n"
        "ada,:tada:,2024-01-01T10:00:00Z,launch,reaction,we shipped\n"
        "bob,🎉,1704103200,launch,inline,🎉 yes\n"
        "ada,partyr,2024-01-02 09:00:00,random,,\n"
    ).encode()
    report = import_upload(data, "uses.csv", "csvteam", store=sqlite_store)
    assert (report.format, report.events_added, report.custom_emoji) == ("csv", 3, (":partyr:",))
    events = sqlite_store.events_frame("csvteam")
    assert list(events["emoji"]) == ["🎉", "🎉", ":partyr:"]
    assert list(events["kind"]) == ["reaction", "inline", "reaction"]
    assert events["text"].iloc[0] == "we shipped"
    assert import_upload(data, "uses.csv", "csvteam", store=sqlite_store).events_added == 0


def test_slack_zip_with_a_folder_inside(sqlite_store, small_export):
    report = import_upload(zip_bytes(small_export, prefix="My Export Folder/"), "My Export.zip", store=sqlite_store)
    assert report.workspace == "My Export"
    assert report.messages_added > 100 and report.reactions_added > 10


def test_two_teams_exported_under_one_generic_file_name_stay_apart(sqlite_store, small_export, tmp_path):
    """Exports saved as ``<team>/slack_export_raw.zip`` (the shared data's layout) take their folder's name, so
    importing or evaluating two of them in one store does not pour both into one workspace called ``workspace``."""
    from emojiml.workspace import import_path

    names = []
    for team in ("alpha-team", "beta-team"):
        (tmp_path / team).mkdir()
        archive = tmp_path / team / "slack_export_raw.zip"
        archive.write_bytes(zip_bytes(small_export))
        names.append(import_path(archive, store=sqlite_store).workspace)
    assert names == ["alpha-team", "beta-team"]
    upload = import_upload(zip_bytes(small_export), "slack_export.zip", store=sqlite_store)
    assert upload.workspace == "workspace"  # an upload has no folder to go by

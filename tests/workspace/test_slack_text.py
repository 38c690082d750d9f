"""Slack text made readable: real messages of the shipped demo export (Houston Data Visualization, MIT) read as
Slack's client shows them, system lines are told apart, and the Context page's channel input hides them."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from emojiml.text.inputs import channel_messages
from emojiml.text.topics import conversation_topics
from emojiml.workspace.slack_text import SYSTEM_SUBTYPES, has_words, is_system_message, readable

DAY_FILE = re.compile(r"^[^/]+/\d{4}-\d{2}-\d{2}\.json$")


@pytest.fixture(scope="module")
def demo_messages(demo_files) -> list[dict]:
    """Every message of the demo export, with its channel folder."""
    return [
        {**message, "channel": name.split("/")[0]}
        for name, data in sorted(demo_files.items())
        if DAY_FILE.match(name)
        for message in json.loads(data)
    ]


@pytest.fixture(scope="module")
def demo_users(demo_files) -> dict[str, str]:
    return {
        user["id"]: user["profile"].get("display_name") or user["profile"].get("real_name") or user["name"]
        for user in json.loads(demo_files["users.json"])
    }


def _text(messages: list[dict], ts: str) -> str:
    return next(m["text"] for m in messages if m.get("ts") == ts)


def test_system_lines_are_recognised_by_their_wording_alone(demo_messages):
    """The store keeps no subtype, so the wording must tell: it agrees with Slack's subtype on every message."""
    disagreements = [
        (m.get("subtype"), m["text"][:80])
        for m in demo_messages
        if m.get("text") and is_system_message(m["text"]) != (m.get("subtype") in SYSTEM_SUBTYPES)
    ]
    assert not disagreements
    assert sum(m.get("subtype") == "channel_join" for m in demo_messages) == 320


def test_bots_and_known_subtypes_are_system_messages():
    assert is_system_message("Build #12 passed", author_is_bot=True)
    assert is_system_message("anything", subtype="channel_join")
    assert not is_system_message("sighs.", subtype="me_message")
    assert not is_system_message("I have joined the channel's book club")


def test_mentions_links_entities_and_shortcodes_read_as_slack_shows_them(demo_messages, demo_users):
    purpose = readable(_text(demo_messages, "1433866203.000003"), demo_users)  # channel purpose with &amp;
    assert purpose.startswith("@Micah Stubbs set the channel purpose: a place for datavis videos & podcasts.")
    comment = readable(_text(demo_messages, "1452876787.000018"), demo_users)  # file comment with a bare user id
    assert comment.startswith("@eloy commented on Amanda Shih's file 01/11/2016 Meetup: Did")
    mailto = readable("email me at <mailto:rakeno@gmail.com|rakeno@gmail.com>", demo_users)
    assert mailto == "email me at rakeno@gmail.com"
    assert readable("<http://a.io/x?a=1&amp;b=2>") == "http://a.io/x?a=1&b=2"
    assert readable("see <https://opensource.com/tools|the list> &lt;1 hour") == "see the list <1 hour"
    assert readable("<!everyone> <!subteam^S1|@devs> <#C061A1R2R|general>") == "@everyone @devs #general"
    assert readable("great :+1: :tada: :wave::skin-tone-3: :simple_smile:") == "great 👍 🎉 👋🏼 🙂"


def test_user_ids_become_display_names(demo_users):
    assert readable("<@U061A1R2R> and <@U061A5N1G|neerajt>", demo_users) == "@Micah Stubbs and @Neeraj Tandon"
    assert readable("<@U061A5N1G|neerajt>") == "@neerajt"  # without a directory, Slack's own label
    assert readable("<@UNKNOWN99>") == "@UNKNOWN99"  # an id we cannot name stays as it is
    assert readable("Understanding USB") == "Understanding USB"


def test_custom_emoji_keep_their_names_and_code_is_left_alone():
    assert readable(":partyr: shipped", custom_emoji=[":partyr:"]) == ":partyr: shipped"
    assert readable("`std::vector::size` :vector:") == "`std::vector::size` :vector:"
    assert readable("```a :tada: b```") == "```a :tada: b```"
    assert readable("<:blobwave:123456789>") == ":blobwave:"  # Discord's custom emoji markup


def test_markup_in_display_names_is_not_read_again():
    users = {"U0AAAAAAA": ":tada: <b>Ana</b> &amp; <@U0BBBBBBB>"}
    assert readable("hi <@U0AAAAAAA>", users) == "hi @:tada: <b>Ana</b> &amp; <@U0BBBBBBB>"


def _events(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """An events frame (the columns ``channel_messages`` reads) of (message id, author, text) rows."""
    return pd.DataFrame(
        {
            "channel": "general",
            "message_id": [r[0] for r in rows],
            "timestamp": pd.to_datetime([1_500_000_000 + i for i in range(len(rows))], unit="s", utc=True),
            "author": [r[1] for r in rows],
            "text": [r[2] for r in rows],
        }
    )


PEOPLE = pd.DataFrame(
    {"user": ["U061A1R2R", "U0BOT0000"], "name": ["Micah Stubbs", "CI bot"], "is_bot": [False, True]},
)


def test_a_channel_of_only_join_messages_has_nothing_to_analyse():
    joins = _events([(str(i), f"U0{i}AAAAAA", f"<@U0{i}AAAAAA|person{i}> has joined the channel") for i in range(5)])
    assert channel_messages(joins, "general", people=PEOPLE) == []


def test_channel_messages_show_names_and_drop_joins_and_bots():
    events = _events(
        [
            ("1", "U061A1R2R", "welcome <@U06U9C8Q7|dvdt> :simple_smile:"),
            ("2", "U0BOT0000", "Deploy finished :white_check_mark:"),
            ("3", "U06U9C8Q7", "<@U06U9C8Q7|dvdt> has joined the channel"),
        ]
    )
    messages = channel_messages(events, "general", people=PEOPLE, custom_emoji=[":simple_smile:"])
    assert [(m.user, m.text) for m in messages] == [("Micah Stubbs", "welcome @dvdt 🙂")]


def test_only_emoji_and_only_url_messages_stay_and_read_cleanly():
    events = _events([("1", "U061A1R2R", ":+1: :tada:"), ("2", "U061A1R2R", "<https://bl.ocks.org/micahstubbs>")])
    messages = channel_messages(events, "general", people=PEOPLE)
    assert [m.text for m in messages] == ["👍 🎉", "https://bl.ocks.org/micahstubbs"]
    assert conversation_topics([m.text for m in messages], None).topics == ()  # no word to make a topic of


def test_topics_of_a_real_channel_hold_no_markup(demo_messages, demo_users):
    raw = [m["text"] for m in demo_messages if m["channel"] == "general" and m.get("text")][:300]
    words = {w for t in conversation_topics(raw, None, n_topics=4).topics for w in t.words}
    assert words and not words & {"simple_smile", "com", "tada", "http", "https", "www", "amp"}
    assert all(re.fullmatch(r"[^\W\d_]+(?:['-][^\W\d_]+)*", w) for w in words), words


def test_a_long_message_with_code_blocks_keeps_its_code_and_gives_topics_only_words():
    code = "```\n" + "\n".join(f"df_{i} = pd.read_csv('data/file_{i}.csv')  # :tada: <not-a-link>" for i in range(32))
    message = f"<@U061A1R2R> the loader breaks :disappointed: &amp; here is why\n{code}\n```\nsee <https://pandas.pydata.org|docs>"
    assert len(message) > 2_000
    shown = readable(message, {"U061A1R2R": "Micah Stubbs"})
    assert shown.startswith("@Micah Stubbs the loader breaks 😞 & here is why")
    assert code in shown and shown.endswith("see docs")
    words = {
        w for t in conversation_topics([shown, "the loader breaks again", "loader fixed"], None).topics for w in t.words
    }
    assert words and not words & {"df", "pd", "read_csv", "csv", "data", "file", "tada", "https"}


def test_mentioned_display_names_do_not_become_topics(demo_messages, demo_users):
    shown = [readable(m["text"], demo_users) for m in demo_messages if m["channel"] == "general" and m.get("text")]
    words = {w for t in conversation_topics(shown[:300], None, n_topics=4).topics for w in t.words}
    assert words and not words & {"tandon", "stubbs", "shih", "micah", "neeraj"}, words


def test_mixed_language_messages_read_cleanly():
    """Lines as the haskell-jp export (Apache-2.0) writes them: Japanese with mentions, links and quotes."""
    users = {"U5B3EGEFQ": "igrep"}
    text = (
        "<@U5B3EGEFQ> :point_up: issueにしておきました。<https://github.com/haskell-jp/x/issues/37> の 2つめ\n&gt; lens"
    )
    assert (
        readable(text, users)
        == "@igrep ☝️ issueにしておきました。https://github.com/haskell-jp/x/issues/37 の 2つめ\n> lens"
    )
    assert is_system_message("<@U4KUNQF9N> has joined the channel")


def test_only_messages_with_words_are_worth_picking_first():
    assert has_words("@Micah Stubbs thanks! 👍")
    assert has_words("ありがとう :pray:")
    assert not has_words("http://www.meetup.com/Houston-Data-Visualization-Meetup/events/232548862/")
    assert not has_words("👍 🎉 :partyr:")
    assert not has_words("<@U061A1R2R> <https://bl.ocks.org/x>")

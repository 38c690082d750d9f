import pytest

from emojiml.catalog import (
    clean_shortcode,
    custom_emoji,
    emoji_in_text,
    normalize_key,
    skin_tones_of,
    strip_skin_tones,
)


def test_catalog_holds_every_fully_qualified_emoji(catalog):
    import emoji

    fully_qualified = [c for c, d in emoji.EMOJI_DATA.items() if d["status"] == emoji.STATUS["fully_qualified"]]
    assert len(catalog) == len(fully_qualified) > 3800
    assert len({e.key for e in catalog}) == len(catalog), "keys must be unique after normalisation"


def test_entries_carry_name_group_keywords_and_shortcodes(catalog):
    thumbs = catalog.get("👍")
    assert thumbs.name == "thumbs up"
    assert (thumbs.group, thumbs.subgroup) == ("people-body", "hand-fingers-closed")
    assert "like" in thumbs.keywords
    assert {"+1", "thumbsup"} <= set(thumbs.shortcodes)
    assert thumbs.slack_shortcode == ":+1:"


@pytest.mark.parametrize("token", ["👍", ":+1:", "+1", "thumbsup", ":thumbsup:", "THUMBSUP"])
def test_shortcodes_of_slack_github_and_discord_map_to_one_emoji(catalog, token):
    assert catalog.get(token).char == "👍"


def test_variation_selector_does_not_change_identity(catalog):
    assert normalize_key("❤️") == normalize_key("❤") == "❤"
    assert catalog.index_of("❤") == catalog.index_of("❤️") == catalog.index_of(":heart:")


def test_skin_tones_are_distinct_emoji_with_a_shared_base(catalog):
    toned = catalog.get("👍🏽")
    assert toned.skin_tone == 3 and toned.base_key == "👍"
    assert catalog.base_index(catalog.index_of("👍🏽")) == catalog.index_of("👍")
    assert strip_skin_tones("👍🏿") == "👍" and skin_tones_of("👍") == 0


def test_slack_skin_tone_suffix_resolves_to_the_toned_emoji(catalog):
    assert clean_shortcode(":+1::skin-tone-2:") == ("+1", 1)
    assert catalog.get("+1::skin-tone-4").char == "👍🏽"


def test_zwj_sequences_stay_whole(catalog):
    assert emoji_in_text("we need a 🧑‍💻 and a 👩🏽‍🚀!") == ["🧑‍💻", "👩🏽‍🚀"]
    assert catalog.get("🧑‍💻").name == "technologist"


def test_sentiment_prior_comes_from_the_emoji_sentiment_ranking(catalog):
    assert catalog.get("😂").sentiment > 0.1 and catalog.get("😂").sentiment_occurrences == 14622
    assert catalog.get("😭").sentiment < catalog.get("😍").sentiment
    assert catalog.get("🥳").sentiment is None  # newer than the 2015 ranking


def test_custom_emoji_are_first_class_entries(catalog):
    partyr = custom_emoji("partyr", keywords=["party", "R"])
    extended = catalog.with_custom([partyr])
    assert len(extended) == len(catalog) + 1
    assert extended.get(":partyr:").is_custom
    assert extended.get("partyr").key == ":partyr:"
    assert extended.fingerprint != catalog.fingerprint
    assert catalog.get(":partyr:") is None
    with pytest.raises(ValueError):
        custom_emoji("::")

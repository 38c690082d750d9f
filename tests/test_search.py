import pytest

from emojiml.search import EMPTY_QUERY_PROMPT, MAX_QUERY_CHARS, clean_query

SYNONYMS = {
    "party": {"🥳", "🎉"},
    "luck": {"🍀"},
    "100": {"💯"},
    "fire": {"🔥"},
    "sad": {"😢", "😞"},
    "dev": {"🧑‍💻"},
    ":+1:": {"👍"},
    "🔥": {"🔥"},
}


@pytest.mark.parametrize("query", SYNONYMS)
def test_listed_queries_find_their_emoji_in_the_top_5(search, query):
    found = [hit.emoji.char for hit in search.search(query, top=5).hits]
    assert SYNONYMS[query] & set(found), f"{query!r} -> {found}"


def test_semantic_match_finds_synonyms_without_shared_words(search):
    found = [hit.emoji.char for hit in search.search("kitty", top=5).hits]
    assert {"🐱", "🐈"} & set(found)


def test_an_emoji_query_finds_itself_first_then_neighbours(search):
    hits = search.search("🍕", top=6).hits
    assert hits[0].emoji.char == "🍕" and hits[0].reason == "the emoji itself"
    assert all(hit.reason == "similar emoji" for hit in hits[1:])


def test_skin_toned_emoji_query_finds_its_base(search):
    assert search.search("👍🏾", top=3).hits[0].emoji.char == "👍"


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_returns_a_prompt_not_an_error(search, query):
    result = search.search(query)
    assert result.hits == () and result.notice == EMPTY_QUERY_PROMPT


def test_long_query_is_truncated_with_a_notice(search):
    result = search.search("pizza " * 2000)
    assert len(result.query) <= MAX_QUERY_CHARS
    assert "10,000" in result.notice or "11,999" in result.notice
    assert result.hits[0].emoji.char == "🍕"


def test_control_characters_and_lone_surrogates_are_removed():
    query, notice = clean_query("pi\x00zz\ud800a\x1b")
    assert query == "pizza" and "3" in notice


def test_query_with_only_invalid_characters_prompts(search):
    result = search.search("\ud83d\x07")
    assert result.hits == () and result.notice == EMPTY_QUERY_PROMPT


def test_results_are_skin_tone_bases_and_respect_top(search):
    hits = search.search("hand", top=30).hits
    assert len(hits) == 30
    assert all(hit.emoji.skin_tone == 0 for hit in hits)

"""The batch analysis's shortcuts give exactly what the slower ways they replaced gave."""

import unicodedata

import numpy as np

from emojiml.text.analyze import clean_text, spacy_unused_components


def _clean_per_character(raw: str) -> str:
    """The per-character rule ``clean_text`` used before its regular expression: drop lone surrogates and
    control characters that are not white space, then collapse white space."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in raw
        if unicodedata.category(ch) != "Cs" and (unicodedata.category(ch) != "Cc" or ch.isspace())
    )
    return " ".join(kept.split())


def test_clean_text_drops_exactly_what_the_per_character_rule_drops():
    # every control, format and separator character of the BMP's first block, lone surrogates, emoji
    tricky = [chr(c) for c in range(0x3000)] + ["\ud800", "\udbff", "\udc00", "\udfff", "🎉", "\ufeff", "\u2028"]
    for ch in tricky:
        raw = f"a{ch}b {ch} c{ch}"
        assert clean_text(raw)[0] == _clean_per_character(raw)[:2000], repr(ch)
    assert clean_text("ship\x00 it\x85now\x1c\ud83d !")[0] == "ship it now !"


def test_non_english_flag_reads_letters_the_same_for_ascii_and_accented_text():
    assert "non_english" not in clean_text("the build is broken again")[1]
    assert "non_english" in clean_text("ビルドがまた壊れた")[1]
    assert "non_english" in clean_text("Merci beaucoup pour votre aide précieuse")[1]


def test_entity_recognition_skips_only_components_it_does_not_read(analyzer):
    nlp = analyzer.nlp
    unused = spacy_unused_components(nlp)
    assert "ner" not in unused
    listeners = {name for name in nlp.pipe_names if "ner" in getattr(nlp.get_pipe(name), "listening_components", ())}
    assert not listeners & set(unused)
    texts = [
        "Marco is flying to Paris on Friday with two colleagues from Google",
        "CI on main failed at 3pm, ask Priya in Berlin",
        "we shipped v2.1 to 40,000 users in Japan last week",
    ]
    everything = [[(e.text, e.label_, e.start_char) for e in doc.ents] for doc in nlp.pipe(texts)]
    needed = [[(e.text, e.label_, e.start_char) for e in doc.ents] for doc in nlp.pipe(texts, disable=unused)]
    assert needed == everything
    assert any(needed)


def test_one_blas_thread_limits_only_while_it_lasts():
    from threadpoolctl import threadpool_info

    from emojiml import models

    np.ones((2, 2)) @ np.ones((2, 2))  # numpy's BLAS is loaded
    before = {(i["filepath"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"}
    with models.one_blas_thread():
        inside = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    after = {(i["filepath"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"}
    assert inside and set(inside) == {1}
    assert after == before

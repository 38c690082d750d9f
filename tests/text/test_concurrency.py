"""One analyser serves every browser session (``st.cache_resource``): concurrent calls must neither fail nor see
each other's vectors (issue 19: 8 threads x 20 rounds raised KeyError in 106-113 of 160 calls)."""

from concurrent.futures import ThreadPoolExecutor

from emojiml.text.analyze import Message

CONVERSATIONS = [
    [Message("want pizza in Paris on Friday?", "a", "ana"), Message("sure, sounds great!", "a", "ben")],
    [Message("the build is broken again", "b"), Message("deploy to prod failed 😩", "b")],
    [Message("happy birthday Marco 🎂", "c"), Message("thanks so much 🙏", "c")],
    [Message("meeting moved to Tokyo next week", "d")],
    [Message("our CI is red, can someone check the PR?", "e"), Message("on it", "e"), Message("fixed!", "e")],
    [Message("I lost my keys in Berlin", "f")],
    [Message("🎉🎉", "g"), Message("we shipped the release to 40 customers", "g")],
    [Message("ok", "h"), Message("see you tomorrow at 9am", "h")],
]


def test_eight_threads_share_one_analyzer(analyzer):
    def records(messages):
        return [a.to_record() for a in analyzer.analyze(messages)]

    serial = [records(c) for c in CONVERSATIONS]
    jobs = [c for _ in range(20) for c in CONVERSATIONS]  # 160 calls, each thread gets many conversations
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(records, jobs))
    assert len(concurrent) == 160
    for i, result in enumerate(concurrent):
        assert result == serial[i % len(CONVERSATIONS)]

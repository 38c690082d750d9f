import pytest


@pytest.fixture(scope="session")
def analyzer(search):
    from emojiml.text.analyze import ContextAnalyzer

    return ContextAnalyzer(search=search)

"""How well search reads intent: hit@1 and hit@3 over a list of queries with the emoji that answer them.

The list (``tests/fixtures/search_probes.tsv``: ``query<TAB>emoji emoji ...``) was written before the intent
rules were tuned, from what a person typing each query wants. ``emojiml evaluate search``
(``emojiml.catalog_commands``) prints the rates through ``EmojiSearch.search``, the call the page and
``emojiml search`` make; the test suite guards a floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from emojiml.catalog import normalize_key
from emojiml.errors import EmojimlError
from emojiml.search import EmojiSearch

DEFAULT_PROBES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "search_probes.tsv"


class ProbeFileError(EmojimlError):
    """The probe list is missing or has a line that is not ``query<TAB>emoji ...``."""


@dataclass(frozen=True)
class Probe:
    query: str
    answers: frozenset[str]
    """Catalog keys of the emoji that answer the query (any one counts)."""


def read_probes(path: Path) -> list[Probe]:
    """The probes of a TSV file; ``#`` lines and blank lines are skipped."""
    if not path.is_file():
        raise ProbeFileError(f"Probe list not found: {path} (pass --probes PATH).")
    probes = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        query, _, answers = line.partition("\t")
        if not query.strip() or not answers.split():
            raise ProbeFileError(f"{path}: line {number} needs 'query<TAB>emoji [emoji ...]'.")
        probes.append(Probe(query, frozenset(normalize_key(e) for e in answers.split())))
    return probes


def hit_rates(search: EmojiSearch, probes: list[Probe]) -> dict:
    """hit@1 and hit@3 (shares of probes whose answer ranks first / in the top 3) and the queries missed."""
    at1 = at3 = 0
    missed = []
    for probe in probes:
        found = [hit.emoji.key for hit in search.search(probe.query, top=3).hits]
        at1 += bool(found) and found[0] in probe.answers
        if probe.answers & set(found):
            at3 += 1
        else:
            missed.append(probe.query)
    n = max(len(probes), 1)
    return {"probes": len(probes), "hit@1": round(at1 / n, 3), "hit@3": round(at3 / n, 3), "missed@3": missed}

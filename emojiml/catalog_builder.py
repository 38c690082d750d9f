"""Derive the shipped catalog table from the MIT-licensed npm emoji data and the Emoji Sentiment Ranking.

Why a build step: the app must run without npm or the network, so ``emojiml build-catalog`` reads the
npm packages once and writes ``emojiml/assets/catalog.json.gz``, which is committed with attribution.

Sources (see ``emojiml/assets/ATTRIBUTION.md``):
- the PyPI ``emoji`` package: which emoji exist (fully-qualified only) and its own aliases;
- ``emojibase-data`` (MIT): CLDR names, groups, subgroups, tags, and the GitHub/Slack (iamcal)/CLDR/
  JoyPixels/emojibase shortcode sets;
- ``emojilib`` (MIT): extra keywords that pickers use;
- ``emoji-datasource`` (MIT): Slack's ``short_names``;
- Emoji Sentiment Ranking v1.0 (CC BY-SA 4.0): a sentiment prior for 969 emoji.

Beside the table it writes ``tags-intl.json.gz``: the CLDR keywords (annotations) that emojibase-data
carries for the languages search reads besides English (``TAG_LANGUAGES``), keyword -> emoji. Names alone miss
what people type: "ありがとう" (thank you) is a Japanese keyword of 🙏, not its name (祈り).
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterable
from pathlib import Path

import emoji as emoji_package

from emojiml.catalog import normalize_key, skin_tones_of, strip_skin_tones

TAG_LANGUAGES = ("ja", "zh", "ko", "ru", "de", "es", "fr", "it", "pt")
"""emojibase-data locales whose CLDR names and keywords search matches (those of ``search.OTHER_LANGUAGES`` that
emojibase-data has)."""
SHORTCODE_SETS = ("iamcal", "github", "cldr", "emojibase", "joypixels")
"""emojibase-data shortcode files, in priority order: Slack's (iamcal) names come first."""


def _hexcode_key(hexcode: str) -> str:
    return normalize_key("".join(chr(int(part, 16)) for part in hexcode.split("-")))


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip()
        if item and item.lower() not in {s.lower() for s in seen}:
            seen[item] = None
    return list(seen)


def _sentiment_prior(path: Path | None) -> dict[str, tuple[float, int]]:
    """Sentiment score per emoji key as in Kralj Novak et al.: (p - n) with Laplace-smoothed shares."""
    if path is None or not path.exists():
        return {}
    prior: dict[str, tuple[float, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            neg, neu, pos = int(row["Negative"]), int(row["Neutral"]), int(row["Positive"])
            total = neg + neu + pos
            score = (pos + 1) / (total + 3) - (neg + 1) / (total + 3)
            prior[normalize_key(row["Emoji"])] = (round(score, 4), int(row["Occurrences"]))
    return prior


def build_catalog(npm_dir: Path, sentiment_csv: Path | None) -> list[dict]:
    """Return one compact row per fully-qualified emoji of the ``emoji`` package, skin-tone variants included."""
    base = npm_dir / "emojibase-data"
    emojibase = json.loads((base / "en" / "data.json").read_text(encoding="utf-8"))
    meta = json.loads((base / "meta" / "groups.json").read_text(encoding="utf-8"))
    groups, subgroups = meta["groups"], meta["subgroups"]
    emojilib = json.loads((npm_dir / "emojilib" / "dist" / "emoji-en-US.json").read_text(encoding="utf-8"))
    datasource = json.loads((npm_dir / "emoji-datasource" / "emoji.json").read_text(encoding="utf-8"))
    shortcode_sets = {
        name: json.loads((base / "en" / "shortcodes" / f"{name}.json").read_text(encoding="utf-8"))
        for name in SHORTCODE_SETS
    }

    info: dict[str, dict] = {}  # normalised key -> emojibase record (skins carry their parent's tags)
    for record in emojibase:
        info[_hexcode_key(record["hexcode"])] = {**record, "parent_tags": record.get("tags", [])}
        for skin in record.get("skins", []):
            info[_hexcode_key(skin["hexcode"])] = {**skin, "parent_tags": record.get("tags", [])}

    shortcodes: dict[str, list[str]] = {}
    for codes in shortcode_sets.values():
        for hexcode, names in codes.items():
            shortcodes.setdefault(_hexcode_key(hexcode), []).extend(_as_list(names))
    for record in datasource:
        shortcodes.setdefault(_hexcode_key(record["unified"]), []).extend(record.get("short_names", []))
    keywords_lib = {normalize_key(char): words for char, words in emojilib.items()}
    prior = _sentiment_prior(sentiment_csv)

    rows = []
    for char, data in emoji_package.EMOJI_DATA.items():
        if data["status"] != emoji_package.STATUS["fully_qualified"]:
            continue
        key = normalize_key(char)
        record = info.get(key, {})
        name = record.get("label") or data["en"].strip(":").replace("_", " ")
        package_codes = [code.strip(":") for code in [data["en"], *data.get("alias", [])]]
        base_key = strip_skin_tones(key)
        keywords = _unique([*record.get("parent_tags", []), *keywords_lib.get(base_key, [])[1:]])
        sentiment = prior.get(key) or prior.get(base_key)
        rows.append(
            {
                "e": char,
                "n": name,
                "g": groups.get(str(record.get("group")), "unknown"),
                "sg": subgroups.get(str(record.get("subgroup")), "unknown"),
                "kw": keywords,
                "sc": _unique([*shortcodes.get(key, []), *package_codes]),
                "t": skin_tones_of(key),
                "s": sentiment[0] if sentiment else None,
                "so": sentiment[1] if sentiment else 0,
                "v": float(data.get("E", 0)),
                "o": int(record.get("order", 100_000)),
            }
        )
    rows.sort(key=lambda row: (row["o"], row["e"]))
    return rows


def write_catalog(rows: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with gzip.GzipFile(out, "wb", mtime=0) as handle:  # mtime=0: the same input gives the same bytes
        handle.write(payload)


def build_language_tags(npm_dir: Path, languages: Iterable[str] = TAG_LANGUAGES) -> dict[str, list[str]]:
    """Lower-cased CLDR keyword in ``languages`` -> the emoji (skin-tone bases) it tags, in data order (names are
    left out: the ``emoji`` package ships those)."""
    tags: dict[str, list[str]] = {}
    for language in languages:
        path = npm_dir / "emojibase-data" / language / "data.json"
        for entry in json.loads(path.read_text(encoding="utf-8")):
            key = _hexcode_key(entry["hexcode"])
            for tag in _as_list(entry.get("tags")):
                tag = " ".join(tag.lower().split())
                if tag and key not in tags.setdefault(tag, []):
                    tags[tag].append(key)
    return tags


def write_language_tags(tags: dict[str, list[str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(dict(sorted(tags.items())), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with gzip.GzipFile(out, "wb", mtime=0) as handle:
        handle.write(payload)

"""The bad-input corpus: every entry is imported on top of a store that already holds the demo workspace.

Each one must either be refused with a specific ``ExportError`` whose message says what is wrong, or import
what is good while naming what was skipped, and nothing already stored may change.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from emojiml.workspace import (
    ArchiveError,
    ArchiveLimits,
    EmptyExportError,
    ExportError,
    ExportFormatError,
    ImportReport,
    TooManyRecordsError,
    UploadTooLargeError,
    ensure_demo_workspace,
    import_path,
    import_upload,
)
from emojiml.workspace.archive import DEFAULT_LIMITS, MB
from tests.workspace.builders import slack_day, zip_bytes

GOOD_DAY = slack_day(
    {"ts": "1500000000.000100", "user": "U1", "text": "hello :wave:", "reactions": [{"name": "tada", "users": ["U2"]}]}
)


def tar_bytes(entries: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for info, data in entries:
            tf.addfile(info, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def tar_entry(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data)
    return info, data


def corrupted_zip() -> bytes:
    data = bytearray(zip_bytes({"general/2017-07-14.json": os.urandom(2000)}))
    middle = 30 + len("general/2017-07-14.json") + 20  # inside the compressed bytes of the only entry
    data[middle : middle + 8] = b"\x00\xff" * 4
    return bytes(data)


def password_protected_zip() -> bytes:
    """A zip whose entry is flagged encrypted (bit 0 of the flags, in the local and the central header)."""
    data = bytearray(zip_bytes({"general/2017-07-14.json": GOOD_DAY}))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + flag_offset
        data[at] |= 0x1
    return bytes(data)


def discord(messages: list[dict]) -> bytes:
    return json.dumps(
        {"guild": {"id": "1", "name": "g"}, "channel": {"id": "2", "name": "chat"}, "messages": messages}
    ).encode()


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    build: Callable[[], bytes]
    error: type[ExportError] | None = None  # None: imports, and ``check`` inspects the report
    says: str = ""  # a phrase the error (or a reported problem) must contain
    check: Callable[[ImportReport], bool] = lambda report: True
    limits: ArchiveLimits = DEFAULT_LIMITS


CORPUS = [
    Case("not a zip", "export.zip", lambda: b"this is a text file, not a zip", ArchiveError, "not a zip"),
    Case("truncated zip", "export.zip", lambda: zip_bytes({"general/2017-07-14.json": GOOD_DAY})[:60], ArchiveError),
    Case("corrupted zip entry", "export.zip", corrupted_zip, ArchiveError, "corrupted"),
    Case("password-protected zip", "export.zip", password_protected_zip, ArchiveError, "password-protected"),
    Case(
        "zip-slip ../",
        "export.zip",
        lambda: zip_bytes({"../../evil.json": GOOD_DAY, "general/2017-07-14.json": GOOD_DAY}),
        ArchiveError,
        "outside the export",
    ),
    Case(
        "zip-slip backslash",
        "export.zip",
        lambda: zip_bytes({"general\\..\\..\\evil.json": GOOD_DAY}),
        ArchiveError,
        "outside",
    ),
    Case("zip absolute path", "export.zip", lambda: zip_bytes({"/tmp/evil.json": GOOD_DAY}), ArchiveError, "absolute"),
    Case(
        "zip bomb (ratio)",
        "export.zip",
        lambda: zip_bytes({"general/2017-07-14.json": b" " * (40 * MB)}),
        ArchiveError,
        "zip bomb",
    ),
    Case(
        "zip bomb (total size)",
        "export.zip",
        lambda: zip_bytes({f"general/2017-07-{d:02d}.json": os.urandom(MB // 2) for d in range(1, 6)}),
        ArchiveError,
        "zip bomb",
        limits=ArchiveLimits(max_unpacked_bytes=2 * MB),
    ),
    Case(
        "too many entries",
        "export.zip",
        lambda: zip_bytes({f"general/2017-07-{d:02d}.json": GOOD_DAY for d in range(1, 12)}),
        ArchiveError,
        "entries",
        limits=ArchiveLimits(max_entries=10),
    ),
    Case(
        "tar symlink",
        "export.tar.gz",
        lambda: tar_bytes([tar_entry("general/2017-07-14.json", kind=tarfile.SYMTYPE, link="/etc/passwd")]),
        ArchiveError,
        "link",
    ),
    Case(
        "tar zip-slip",
        "export.tar.gz",
        lambda: tar_bytes([tar_entry("../evil/2017-07-14.json", GOOD_DAY)]),
        ArchiveError,
        "outside",
    ),
    Case(
        "truncated tar.gz",
        "export.tar.gz",
        lambda: tar_bytes([tar_entry("general/2017-07-14.json", os.urandom(4000))])[:2000],
        ArchiveError,
        "truncated",
    ),
    Case(
        "upload over 100 MB",
        "export.zip",
        lambda: b"PK\x03\x04" + bytes(100 * MB),
        UploadTooLargeError,
        "100.0 MB upload limit",
    ),
    Case("empty file", "export.json", lambda: b"", ExportFormatError, "empty"),
    Case("empty zip", "export.zip", lambda: zip_bytes({}), EmptyExportError, "no files"),
    Case(
        "export with no messages",
        "export.zip",
        lambda: zip_bytes({"channels.json": b"[]", "general/2017-07-14.json": b"[]"}),
        EmptyExportError,
        "no messages",
    ),
    Case(
        "unrelated files",
        "export.zip",
        lambda: zip_bytes({"README.txt": b"hello", "photo.png": b"\x89PNG"}),
        ExportFormatError,
        "not a Slack export",
    ),
    Case(
        "binary garbage", "export.bin", lambda: os.urandom(64).replace(b"[", b"").replace(b"{", b""), ExportFormatError
    ),
    Case("JSON that is no export", "export.json", lambda: b'{"hello": "world"}', ExportFormatError, "not a Slack"),
    Case(
        "malformed day file is skipped and named",
        "export.zip",
        lambda: zip_bytes({"general/2017-07-14.json": GOOD_DAY, "general/2017-07-15.json": b'[{"ts": "15'}),
        says="general/2017-07-15.json",
        check=lambda r: len(r.skipped_files) == 1 and r.messages_added == 1,
    ),
    Case(
        "day file that is not a list",
        "export.zip",
        lambda: zip_bytes({"general/2017-07-14.json": GOOD_DAY, "random/2017-07-14.json": b'{"ts": "1"}'}),
        says="expected a list",
        check=lambda r: len(r.skipped_files) == 1,
    ),
    Case(
        "unparsable timestamps",
        "export.zip",
        lambda: zip_bytes(
            {
                "general/2017-07-14.json": slack_day(
                    {"ts": "yesterday", "user": "U1", "text": "hi"}, *json.loads(GOOD_DAY)
                )
            }
        ),
        says="does not parse",
        check=lambda r: r.messages_added == 1 and len(r.invalid) == 1,
    ),
    Case(
        "message that does not fit the format",
        "export.zip",
        lambda: zip_bytes({"general/2017-07-14.json": slack_day({"ts": "1500000000.1", "text": ["a", "list"]})}),
        EmptyExportError,
        "message skipped",
    ),
    Case(
        "unknown emoji names become custom emoji",
        "export.zip",
        lambda: zip_bytes(
            {
                "general/2017-07-14.json": slack_day(
                    {"ts": "1500000000.1", "user": "U1", "reactions": [{"name": "zzq_blob", "users": ["U2"]}]}
                )
            }
        ),
        check=lambda r: r.custom_emoji == (":zzq_blob:",) and r.reactions_added == 1,
    ),
    Case(
        "CSV missing columns",
        "uses.csv",
        lambda: b"user,when\nada,2024-01-01\n",
        ExportFormatError,
        "missing the column(s) emoji, timestamp",
    ),
    Case(
        "CSV bad rows",
        "uses.csv",
        lambda: (
            "user,emoji,timestamp,kind\nada,👍,2024-01-01T10:00:00Z,\nbob,🎉,someday,\ncy,👍,1700000000,typo\n".encode()
        ),
        says="'someday' does not parse",
        check=lambda r: r.events_added == 1 and len(r.invalid) == 2,
    ),
    Case("CSV not UTF-8", "uses.csv", lambda: "user,emoji,timestamp\nzoë,x,1\n".encode("latin-1"), ExportFormatError),
    Case(
        "Discord bad timestamp and reaction without users",
        "chat.json",
        lambda: discord(
            [
                {"id": "1", "timestamp": "not a time", "content": "hi", "author": {"id": "7", "name": "a"}},
                {
                    "id": "2",
                    "timestamp": "2024-01-01T10:00:00+00:00",
                    "content": "yo",
                    "author": {"id": "7", "name": "a"},
                    "reactions": [{"emoji": {"id": "", "name": "👍"}, "count": 3}],
                },
            ]
        ),
        says="without a list of users",
        check=lambda r: r.messages_added == 1 and len(r.invalid) == 2,
    ),
    Case(
        "bad workspace name",
        "export.zip",
        lambda: zip_bytes({"general/2017-07-14.json": GOOD_DAY}),
        ExportFormatError,
        "not allowed",
    ),
]


DEEP = b"[" * 50_000 + b"]" * 50_000  # JSON nested far past any recursion limit
HUGE_NUMBER = "9" * 100_000
LONG_ID = "u" * 100_000
DISCORD_MESSAGE = {"id": "1", "timestamp": "2024-01-01T10:00:00+00:00", "content": "yo 👍", "author": {"id": "7"}}


def slack_zip(*messages: dict, **extra: bytes) -> bytes:
    return zip_bytes({"general/2017-07-14.json": slack_day(*messages), **extra})


def first_message_reacted(reaction_names: list[str]) -> dict:
    reactions = [{"name": name, "users": [f"U{i + 2}"]} for i, name in enumerate(reaction_names)]
    return {"ts": "1500000000.000100", "user": "U1", "text": "hi", "reactions": reactions}


def sixty_messages() -> bytes:
    return slack_zip(*({"ts": f"1500000000.{i:06d}", "user": "U1", "text": "hi"} for i in range(60)))


HOSTILE = [
    Case(
        "JSON nested 50k deep in a day file",
        "export.zip",
        lambda: zip_bytes({"general/2017-07-14.json": DEEP}),
        EmptyExportError,
        "nested too deeply",
    ),
    Case(
        "JSON nested 50k deep in users.json",
        "export.zip",
        lambda: zip_bytes({"general/2017-07-14.json": GOOD_DAY, "users.json": DEEP}),
        says="nested too deeply",
        check=lambda r: r.messages_added == 1 and len(r.skipped_files) == 1,
    ),
    Case(
        "JSON nested 50k deep in a Discord message",
        "chat.json",
        lambda: discord([{**DISCORD_MESSAGE, "embeds": DEEP.decode()}]).replace(b'"' + DEEP + b'"', DEEP),
        ExportFormatError,
        "nested too deeply",
    ),
    Case(
        "message fields of the wrong type",
        "export.zip",
        lambda: slack_zip({"ts": "1500000000.1", "user": {"id": 5}, "text": 7}, *json.loads(GOOD_DAY)),
        says="got `object`",
        check=lambda r: r.messages_added == 1 and len(r.invalid) == 1,
    ),
    Case(
        "a 100k-digit number as ts",
        "export.zip",
        lambda: zip_bytes({"general/2017-07-14.json": f'[{{"ts": {HUGE_NUMBER}, "user": "U1"}}]'.encode()}),
        EmptyExportError,
        "Integer value out of range",
    ),
    Case(
        "a 100k-digit Discord id",
        "chat.json",
        lambda: discord([DISCORD_MESSAGE]).replace(b'"id": "1"', f'"id": {HUGE_NUMBER}'.encode(), 1),
        ExportFormatError,
        "out of range",
    ),
    Case(
        "Discord reactions: 5",
        "chat.json",
        lambda: discord([{**DISCORD_MESSAGE, "reactions": 5}]),
        says="reactions 5 is not a list",
        check=lambda r: r.messages_added == 1,
    ),
    Case(
        "Discord reactions: true",
        "chat.json",
        lambda: discord([{**DISCORD_MESSAGE, "reactions": True}]),
        says="reactions True is not a list",
        check=lambda r: r.messages_added == 1,
    ),
    Case(
        "Discord timestamps in year 1 and 9999",
        "chat.json",
        lambda: discord(
            [
                {**DISCORD_MESSAGE, "id": "1", "timestamp": "0001-01-01T00:00:00+01:00"},
                {**DISCORD_MESSAGE, "id": "2", "timestamp": "9999-12-31T23:59:59+00:00"},
                {**DISCORD_MESSAGE, "id": "3"},
            ]
        ),
        says="does not parse as a time in 1970-2100",
        check=lambda r: r.messages_added == 1 and len(r.invalid) == 2,
    ),
    Case(
        "CSV timestamps in year 1 and 9999",
        "uses.csv",
        lambda: "user,emoji,timestamp\na,👍,0001-01-01\nb,👍,9999-12-31T23:59:59Z\nc,🎉,2024-01-01\n".encode(),
        says="'0001-01-01' does not parse",
        check=lambda r: r.events_added == 1 and len(r.invalid) == 2,
    ),
    Case(
        "Slack ts in year 9999",
        "export.zip",
        lambda: slack_zip({"ts": "253402300799.000100", "user": "U1", "text": "hi"}, *json.loads(GOOD_DAY)),
        says="does not parse as a time",
        check=lambda r: r.messages_added == 1,
    ),
    Case(
        "skin tones fold into the emoji; a tone alone is no custom emoji",
        "export.zip",
        lambda: slack_zip(first_message_reacted(["thumbsup::skin-tone-3", "skin-tone-3", "::skin-tone-4"])),
        says="'skin-tone-3' is not an emoji name",
        check=lambda r: r.custom_emoji == () and r.reactions_added == 1 and len(r.invalid) == 2,
    ),
    Case(
        "empty and 100k-character user ids",
        "export.zip",
        lambda: slack_zip(
            {"ts": "1500000000.1", "user": "", "text": "hi", "reactions": [{"name": "tada", "users": ["", LONG_ID]}]},
            {"ts": "1500000000.2", "user": LONG_ID, "text": "hello"},
        ),
        says="over-long",
        check=lambda r: r.messages_added == 2 and r.users == 0 and r.reactions_added == 0,
    ),
    Case(
        "Discord empty and 100k-character ids",
        "chat.json",
        lambda: discord(
            [
                {
                    **DISCORD_MESSAGE,
                    "author": {"id": LONG_ID},
                    "reactions": [{"emoji": {"id": "", "name": "👍"}, "users": [{"id": ""}, {"id": LONG_ID}]}],
                }
            ]
        ),
        says="author id dropped",
        check=lambda r: r.messages_added == 1 and r.users == 0 and r.events_added == 0,
    ),
    Case(
        "a repeated ts by another person keeps both messages",
        "export.zip",
        lambda: slack_zip(
            {"ts": "1500000000.1", "user": "U1", "text": "first", "reactions": [{"name": "tada", "users": ["U3"]}]},
            {"ts": "1500000000.1", "user": "U2", "text": "second", "reactions": [{"name": "tada", "users": ["U3"]}]},
        ),
        check=lambda r: r.messages_added == 2 and r.reactions_added == 2,
    ),
    Case(
        "a repeated CSV column",
        "uses.csv",
        lambda: "user,emoji,timestamp,Emoji\nada,👍,2024-01-01,🎉\n".encode(),
        ExportFormatError,
        "has the column(s) emoji more than once",
    ),
    Case(
        "a zip bomb of small entries (whole-archive ratio)",
        "export.zip",
        lambda: zip_bytes({f"c{i}/2017-07-14.json": b"[" + b" " * 900_000 + b"]" for i in range(3)}),
        ArchiveError,
        "zip bomb",
    ),
    Case(
        "more messages than one import takes",
        "export.zip",
        sixty_messages,
        TooManyRecordsError,
        "more than 50 messages",
        limits=ArchiveLimits(max_records=50),
    ),
    Case(
        "one file past the per-file limit",
        "export.zip",
        sixty_messages,
        UploadTooLargeError,
        "limit for one file of an export",
        limits=ArchiveLimits(max_file_bytes=1000),
    ),
    Case(
        "a gzip bomb (1:1000) is refused after a few MB",
        "export.tar.gz",
        lambda: gzip.compress(bytes(20 * MB), compresslevel=1),
        ArchiveError,
        "zip bomb",
    ),
]
CORPUS += HOSTILE


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory):
    from emojiml.workspace.store import WorkspaceStore

    store = WorkspaceStore(f"sqlite:///{tmp_path_factory.mktemp('bad') / 'store.db'}")
    ensure_demo_workspace(store)
    yield store
    store.dispose()


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 45 and len({case.name for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_bad_input(case: Case, loaded_store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a zip-slip that wrote anything would land next to here
    before = {w.name: loaded_store.counts(w.name) for w in loaded_store.workspaces()}
    workspace = "bad/name!" if case.name == "bad workspace name" else f"case-{CORPUS.index(case)}"
    data = case.build()
    if case.error is not None:
        with pytest.raises(case.error) as raised:
            import_upload(data, case.filename, workspace, store=loaded_store, limits=case.limits)
        assert case.says in str(raised.value)
        assert {w.name: loaded_store.counts(w.name) for w in loaded_store.workspaces()} == before
    else:
        report = import_upload(data, case.filename, workspace, store=loaded_store, limits=case.limits)
        assert case.check(report), report.lines()
        assert case.says in "\n".join(report.lines())
        assert {name: loaded_store.counts(name) for name in before} == before
    assert sorted(p.name for p in tmp_path.parent.iterdir() if p.name.startswith("evil")) == []
    assert not (tmp_path / "evil.json").exists()


def test_a_local_file_over_the_limit_is_refused_before_reading(tmp_path, loaded_store):
    big = tmp_path / "export.zip"
    with big.open("wb") as handle:
        handle.truncate(1024 * MB + 1)  # sparse: costs no disk, and is never read
    with pytest.raises(UploadTooLargeError, match=r"over the 1024\.0 MB upload limit"):
        import_path(big, store=loaded_store)

"""Read an uploaded or local export (zip, tar.gz, folder, single JSON/CSV) safely, one file at a time.

Why never to disk: nothing from an archive is ever written out, so a zip-slip entry (``../x``, ``/etc/x``)
cannot land anywhere; we still refuse such archives, because an export that contains them is not one
a person meant to give us. Why one file at a time: an export's files are read when a parser asks for them
(``ExportFiles.files`` is a lazy mapping), so memory holds one day file, not the whole unpacked export.
Sizes are checked before and while reading (a zip's headers can lie), for each entry and for the archive as a
whole, so a bomb made of many small entries is refused as surely as one big entry.
"""

from __future__ import annotations

import io
import os
import posixpath
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from emojiml.workspace.report import MAX_RECORDS, ArchiveError, ExportFormatError, UploadTooLargeError

MB = 1024 * 1024
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")


@dataclass(frozen=True)
class ArchiveLimits:
    """Refuse exports past these sizes, with a message that says which limit and by how much."""

    max_upload_bytes: int = 100 * MB
    max_unpacked_bytes: int = 512 * MB  # the largest real export here unpacks to 30 MB
    max_ratio: float = 200.0  # uncompressed / compressed, for entries and whole archives over 1 MB unpacked
    max_entries: int = 200_000
    max_records: int = MAX_RECORDS  # messages + reactions one import parses


DEFAULT_LIMITS = ArchiveLimits()
LOCAL_LIMITS = ArchiveLimits(max_upload_bytes=1024 * MB)
"""``emojiml import PATH`` reads local files: a bigger file limit, the same unpacking limits."""
RATIO_FLOOR_BYTES = MB  # small files compress well legitimately (repeated JSON keys); only big ones count


@dataclass(frozen=True)
class ExportFiles:
    """The regular files of an export: POSIX relative path -> bytes (read on access), plus a suggested
    workspace name."""

    files: Mapping[str, bytes]
    name: str
    source: str


class LazyFiles(Mapping[str, bytes]):
    """An export's files by name, each read by ``read(name)`` only when a parser asks for it (and not kept), so
    peak memory is one file plus what the parser keeps."""

    def __init__(self, names: list[str], read: Callable[[str], bytes]) -> None:
        self._names = dict.fromkeys(names)
        self._read = read

    def __getitem__(self, name: str) -> bytes:
        if name not in self._names:
            raise KeyError(name)
        return self._read(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


def check_upload_size(size: int, filename: str, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
    if size > limits.max_upload_bytes:
        hint = (
            "Export fewer channels or a shorter date range, or import it from the command line: "
            f"`emojiml import PATH` takes files up to {_mb(LOCAL_LIMITS.max_upload_bytes)}."
            if limits.max_upload_bytes < LOCAL_LIMITS.max_upload_bytes
            else "Split the export (fewer channels or a shorter date range)."
        )
        raise UploadTooLargeError(
            f"{filename} is {_mb(size)}, over the {_mb(limits.max_upload_bytes)} upload limit. {hint}"
        )


def _safe_name(name: str, archive: str) -> str | None:
    """The entry's normalised relative path; ``None`` for directories; refuse anything escaping the root."""
    raw = name.replace("\\", "/")
    if raw.endswith("/"):
        return None
    if raw.startswith("/") or PurePosixPath(raw).is_absolute() or (len(raw) > 1 and raw[1] == ":"):
        raise ArchiveError(f"{archive} holds an entry with an absolute path ({name!r}); refusing the archive.")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ArchiveError(f"{archive} holds an entry that points outside the export ({name!r}); refusing it.")
    return posixpath.join(*parts) if parts else None


def _suffix_name(filename: str) -> str:
    base = os.path.basename(filename.rstrip("/"))
    for suffix in (*ARCHIVE_SUFFIXES, ".json", ".csv"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


def _bomb(archive: str, unpacked: int, packed: int, limits: ArchiveLimits) -> ArchiveError:
    return ArchiveError(
        f"{archive} unpacks to {_mb(unpacked)} from {_mb(packed)} (limit {_mb(limits.max_unpacked_bytes)}, "
        f"ratio {limits.max_ratio:.0f}:1): it looks like a zip bomb, so it was refused."
    )


def read_zip(data: bytes | Path, archive: str, limits: ArchiveLimits = DEFAULT_LIMITS) -> LazyFiles:
    """A zip's entries (from bytes, or from a file on disk without reading it whole), checked up front: names,
    links, encryption, entry count, and the declared sizes of each entry and of the whole archive against the
    size and ratio limits. Entries are then read on demand; zipfile stops each at its declared size and checks
    its CRC, so a lying header ends in an error, never in more bytes than declared."""
    packed = len(data) if isinstance(data, bytes) else data.stat().st_size
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        raise ArchiveError(f"{archive} is not a readable zip (truncated or corrupted: {error}).") from error
    if len(infos) > limits.max_entries:
        raise ArchiveError(f"{archive} has {len(infos)} entries, over the limit of {limits.max_entries}.")
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_unpacked_bytes or (
        declared > RATIO_FLOOR_BYTES and declared / max(1, packed) > limits.max_ratio
    ):
        raise _bomb(archive, declared, packed, limits)
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = _safe_name(info.filename, archive)
        if name is None or info.is_dir():
            continue
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise ArchiveError(f"{archive} holds a symbolic link ({info.filename!r}); refusing the archive.")
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
            raise _bomb(archive, info.file_size, info.compress_size, limits)
        if info.flag_bits & 0x1:
            raise ArchiveError(f"{archive} is password-protected ({info.filename!r}); export it again without one.")
        entries[name] = info

    def read(name: str) -> bytes:
        info = entries[name]
        try:
            with zf.open(info) as member:
                content = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as error:
            raise ArchiveError(f"{archive}: entry {info.filename!r} is corrupted or truncated ({error}).") from error
        if len(content) > info.file_size:
            raise _bomb(archive, len(content), info.compress_size, limits)
        return content

    return LazyFiles(list(entries), read)


GUNZIP_STEP = 64 * 1024
"""Compressed bytes inflated at a time: a bomb (1000:1) is caught after about 64 MB of output, not 1 GB."""


def _gunzip(data: bytes, archive: str, limits: ArchiveLimits) -> bytes:
    """Decompress step by step, checking the size and the ratio so far after each step (3x faster than
    tarfile's streaming gzip); never holds more than the size limit."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    view = memoryview(data)
    raw = bytearray()
    try:
        for start in range(0, len(data), GUNZIP_STEP):
            raw += inflater.decompress(view[start : start + GUNZIP_STEP], limits.max_unpacked_bytes + 1 - len(raw))
            read = min(len(data), start + GUNZIP_STEP)
            if (
                inflater.unconsumed_tail
                or len(raw) > limits.max_unpacked_bytes
                or (len(raw) > RATIO_FLOOR_BYTES and len(raw) / read > limits.max_ratio)
            ):
                raise _bomb(archive, len(raw), read, limits)
            if inflater.eof:
                break
    except zlib.error as error:
        raise ArchiveError(f"{archive} is not a readable gzip file (truncated or corrupted: {error}).") from error
    if not inflater.eof:
        raise ArchiveError(f"{archive} is truncated: the gzip stream ends early.")
    return bytes(raw)


def read_tar(data: bytes, archive: str, limits: ArchiveLimits = DEFAULT_LIMITS) -> LazyFiles:
    """A (gzipped) tar's members, checked up front; each member's bytes are sliced out when asked for."""
    raw = _gunzip(data, archive, limits) if data[:2] == b"\x1f\x8b" else data
    members: dict[str, tuple[int, int]] = {}  # name -> (offset of its data, size)
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tf:
            for count, member in enumerate(tf, start=1):
                if count > limits.max_entries:
                    raise ArchiveError(f"{archive} has more than {limits.max_entries} entries; refusing it.")
                name = _safe_name(member.name, archive)
                if member.issym() or member.islnk():
                    raise ArchiveError(f"{archive} holds a link ({member.name!r}); refusing the archive.")
                if name is None or not member.isfile():
                    continue
                total += member.size
                if total > limits.max_unpacked_bytes:
                    raise _bomb(archive, total, len(data), limits)
                if member.offset_data + member.size > len(raw):
                    raise ArchiveError(f"{archive} is truncated: {member.name!r} ends early.")
                members[name] = (member.offset_data, member.size)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ArchiveError(f"{archive} is not a readable tar archive (truncated or corrupted: {error}).") from error

    def read(name: str) -> bytes:
        offset, size = members[name]
        return raw[offset : offset + size]

    return LazyFiles(list(members), read)


def _kind_of(data: bytes, filename: str) -> str:
    """Trust the bytes over the file name: a renamed file still opens as what it is."""
    lower = filename.lower()
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[:2] == b"\x1f\x8b" or data[257:262] == b"ustar":
        return "tar"
    if lower.endswith(".zip"):
        raise ArchiveError(f"{filename} is not a zip archive (it does not start with a zip header).")
    if lower.endswith(ARCHIVE_SUFFIXES):
        raise ArchiveError(f"{filename} is not a tar archive (it does not start with a gzip or tar header).")
    if lower.endswith(".csv"):
        return "file"
    if data.lstrip()[:1] in (b"[", b"{"):
        return "file"
    raise ExportFormatError(
        f"{filename} is not an export: upload a Slack or Discord export as .zip (or a single .json), or a .csv."
    )


def read_upload(data: bytes, filename: str, limits: ArchiveLimits = DEFAULT_LIMITS) -> ExportFiles:
    """An uploaded file's bytes -> its export files. The size limit is checked first."""
    check_upload_size(len(data), filename, limits)
    if not data:
        raise ExportFormatError(f"{filename} is empty.")
    kind = _kind_of(data, filename)
    base = os.path.basename(filename) or "upload"
    files: Mapping[str, bytes]
    if kind == "zip":
        files = read_zip(data, base, limits)
    elif kind == "tar":
        files = read_tar(data, base, limits)
    else:
        files = {base: data}
    return ExportFiles(files=files, name=_suffix_name(base), source=base)


def read_folder(root: Path, limits: ArchiveLimits = LOCAL_LIMITS) -> LazyFiles:
    """The regular files under ``root``, read on access (symbolic links, FIFOs and devices are skipped, so
    nothing outside is read and nothing blocks)."""
    paths: dict[str, Path] = {}
    total = 0
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file():
                continue
            total += path.stat().st_size
            if total > limits.max_unpacked_bytes:
                raise ArchiveError(f"{root} holds more than {_mb(limits.max_unpacked_bytes)} of files; refusing it.")
            if len(paths) >= limits.max_entries:
                raise ArchiveError(f"{root} holds more than {limits.max_entries} files; refusing it.")
            paths[path.relative_to(root).as_posix()] = path
    return LazyFiles(list(paths), lambda name: _read_regular_file(paths[name], limits.max_unpacked_bytes))


def _read_regular_file(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of ``path``: a file that grows while it is read is refused, not followed."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLargeError(f"{path} grew past {_mb(limit)} while it was read; refusing it.")
    return data


def read_path(path: Path, limits: ArchiveLimits = LOCAL_LIMITS) -> ExportFiles:
    """A local export: an archive, a single JSON/CSV file, an export folder, or a folder holding one archive.

    The last form is how ``../shared/data/slack-exports/<name>/`` is laid out, so the folder name becomes
    the workspace name. Devices (``/dev/zero``), FIFOs and sockets are refused before anything is read.
    """
    path = Path(path)
    if not path.exists():
        raise ExportFormatError(f"{path} does not exist.")
    if path.is_dir():
        archives = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(ARCHIVE_SUFFIXES))
        has_json = any(p.suffix.lower() in (".json", ".csv") for p in path.rglob("*") if p.is_file())
        if len(archives) == 1 and not has_json:
            inner = read_path(archives[0], limits)
            return ExportFiles(files=inner.files, name=path.name, source=str(archives[0]))
        return ExportFiles(files=read_folder(path, limits), name=path.name, source=str(path))
    if not path.is_file():
        raise ExportFormatError(
            f"{path} is not a regular file or folder (a device, FIFO or socket): export to a file and import that."
        )
    check_upload_size(path.stat().st_size, path.name, limits)
    with path.open("rb") as handle:
        head = handle.read(4)
    if head in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip is read from disk entry by entry, never whole
        files = read_zip(path, path.name, limits)
        return ExportFiles(files=files, name=_suffix_name(path.name), source=str(path))
    data = _read_regular_file(path, limits.max_upload_bytes)
    check_upload_size(len(data), path.name, limits)
    return replace(read_upload(data, path.name, limits), source=str(path))

"""Small builders for test exports (zips, Slack day files), shared by the workspace tests."""

from __future__ import annotations

import io
import json
import zipfile


def zip_bytes(files: dict[str, bytes], prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(prefix + name, data)
    return buffer.getvalue()


def slack_day(*messages: dict) -> bytes:
    return json.dumps(list(messages)).encode()

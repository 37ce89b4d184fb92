"""Uploaded files: what they are (by their content, never their name) and their text.

puremagic reads the file's signature; documents that are ZIP containers (Word,
PowerPoint, Excel, OpenDocument) are told apart by the parts inside them, and the name
the uploader gave must agree with what the content is. pypdf takes the text out of
PDFs for the search.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

import puremagic

log = logging.getLogger(__name__)

# extension: content type. The extensions the bank accepts.
ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
SAME = {"jpeg": "jpg"}
OOXML_PARTS = {"word/": "docx", "ppt/": "pptx", "xl/": "xlsx"}
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
MAX_TEXT = 500_000  # characters of extracted text kept for the search


class UploadError(Exception):
    """`code`: empty, too_large, unknown_type, mismatch."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Checked:
    extension: str
    content_type: str
    filename: str


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                return ODF_TYPES.get(archive.read("mimetype").decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names:
                for prefix, kind in OOXML_PARTS.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def identify(data: bytes) -> str | None:
    """The extension the content really has, among ALLOWED; None otherwise."""
    try:
        found = puremagic.from_string(data).lstrip(".").lower()
    except puremagic.PureError:
        return None
    found = SAME.get(found, found)
    if found in ("zip", "docx", "pptx", "xlsx", "xlsb", "odt", "odp", "ods", "jar", "epub"):
        return _zip_kind(data)
    return found if found in ALLOWED else None


def check_upload(filename: str, data: bytes, max_bytes: int) -> Checked:
    """Accept a file only when its content is an allowed kind and its name does not
    claim another kind."""
    if not data:
        raise UploadError("empty")
    if len(data) > max_bytes:
        raise UploadError("too_large")
    actual = identify(data)
    if actual is None:
        raise UploadError("unknown_type")
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or f"file.{actual}"
    claimed = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = SAME.get(claimed, claimed)
    if claimed and claimed != actual:
        raise UploadError("mismatch", actual)
    if not claimed:
        name = f"{name}.{actual}"
    return Checked(extension=actual, content_type=ALLOWED[actual], filename=name[:255])


def extract_text(extension: str, data: bytes) -> str:
    """The text of a PDF for the search ("" for other kinds, or a PDF without text)."""
    if extension != "pdf":
        return ""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return ""
        parts: list[str] = []
        size = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size >= MAX_TEXT:
                break
        return " ".join(" ".join(parts).split())[:MAX_TEXT].replace("\x00", "")
    except Exception:  # a broken PDF is still a file; it is just not searchable
        log.warning("could not read the text of a PDF", exc_info=True)
        return ""

"""What a facilitator may upload as material: common documents, images and presentations.

A file is accepted when its name ends in a known extension *and* its first
bytes are what that kind of file starts with, so a web page renamed
``notes.pdf`` is refused. Downloads are always sent as attachments with the
type stored here and ``nosniff``, never shown inline as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: tuple[bytes, ...]  # empty: plain text, checked separately


TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".doc": FileType("application/msword", OLE),
    ".docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".odt": FileType("application/vnd.oasis.opendocument.text", ZIP),
    ".rtf": FileType("application/rtf", (b"{\\rtf",)),
    ".txt": FileType("text/plain; charset=utf-8", ()),
    ".xls": FileType("application/vnd.ms-excel", OLE),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".ods": FileType("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    ".ppt": FileType("application/vnd.ms-powerpoint", OLE),
    ".pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    ".odp": FileType("application/vnd.oasis.opendocument.presentation", ZIP),
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": FileType("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": FileType("image/webp", (b"RIFF",)),
}

ACCEPT = ",".join(sorted(TYPES))


def max_bytes() -> int:
    return int(getattr(settings, "KOLLEGA_MATERIAL_MAX_MB", 20)) * 1024 * 1024


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # The cut may split a character: allow the last few bytes to be incomplete.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    lowered = text.lstrip().lower()
    return not lowered.startswith(("<!doctype", "<html", "<script", "<svg", "<?xml"))


def check(upload: UploadedFile) -> FileType:
    """The accepted type of ``upload``, or a ValidationError that says what is accepted."""
    name = upload.name or ""
    suffix = PurePath(name).suffix.lower()
    kind = TYPES.get(suffix)
    if kind is None:
        raise ValidationError(
            _(
                "Files of this type cannot be shared. Accepted: documents (PDF, Word, OpenDocument, text), "
                "presentations (PowerPoint, OpenDocument), spreadsheets and images (PNG, JPEG, GIF, WebP)."
            )
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if size > max_bytes():
        raise ValidationError(
            _(
                "The file is %(size)s MB; files of at most %(max)s MB can be shared. "
                "Share a link to a bigger file instead."
            )
            % {"size": f"{size / 1024 / 1024:.1f}", "max": max_bytes() // 1024 // 1024}
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    matches = _looks_like_text(head) if not kind.magic else any(head.startswith(m) for m in kind.magic)
    if suffix == ".webp":
        matches = matches and head[8:12] == b"WEBP"
    if not matches:
        raise ValidationError(
            _("The file's content is not a %(type)s file, although its name ends in %(suffix)s.")
            % {"type": suffix.lstrip(".").upper(), "suffix": suffix}
        )
    return kind

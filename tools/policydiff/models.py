"""Typed records shared by every stage. Frozen so a stage cannot edit another's output."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from .frozen import freeze
from .times import format_iso, parse_time

# A stored capture's file name: its capture time, the start of its sha256, its kind. Nothing
# else is ever read from captures/, so a provenance naming `../../etc/passwd` names nothing.
CAPTURE_FILE = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{12}\.(?:html|md|txt)")
_SCALARS = frozenset({str, int, float, bool, type(None)})
MEDIA_TYPES = {"text/html": "html", "text/markdown": "md", "text/plain": "txt"}
_KNOWN = {
    "file",
    "captured_at",
    "sha256",
    "size",
    "media_type",
    "source_url",
    "ingested_via",
    "ingested_at",
    "declared_charset",
    "detected_charset",
    "charset_mismatch",
    "original_name",
    "wayback_url",
}


@dataclass(frozen=True)
class Capture:
    """One raw capture as stored under `captures/`, with its provenance."""

    slug: str
    file: str  # file name inside captures/, e.g. 20171121T214541Z-1a2b3c4d5e6f.html
    captured_at: datetime
    sha256: str
    size: int
    media_type: str
    source_url: str | None
    ingested_via: str  # file | warc | wayback | live
    ingested_at: datetime
    declared_charset: str | None = None
    detected_charset: str | None = None
    charset_mismatch: bool = False
    original_name: str | None = None
    wayback_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return self.file.rsplit(".", 1)[0]

    def frozen(self) -> Capture:
        """This capture with its free-form provenance read-only (for records that are shared)."""
        return replace(self, extra=freeze(self.extra))

    def to_json(self) -> dict[str, Any]:
        if not all(type(value) in _SCALARS for value in self.extra.values()):
            data = asdict(self)  # a deep copy: nested provenance is not shared with the caller
            data.pop("slug")
            extra = data.pop("extra")
        else:
            # Every other field is immutable: `asdict`'s deep copy of them (datetimes
            # included) was the largest item of a group commit's CPU in a profile.
            data = {f.name: getattr(self, f.name) for f in _CAPTURE_FIELDS}
            extra = self.extra
        data["captured_at"] = format_iso(self.captured_at)
        data["ingested_at"] = format_iso(self.ingested_at)
        data.update(extra)
        return data

    @classmethod
    def from_json(cls, slug: str, data: Any) -> Capture:
        """Raises ValueError naming the field when the provenance is not what we wrote."""
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")

        def text(key: str, *, optional: bool = False) -> Any:
            value = data.get(key)
            if value is None and optional:
                return None
            if not isinstance(value, str):
                raise ValueError(f"field `{key}`: expected a string, got {type(value).__name__}")
            return value

        file = text("file")
        if not CAPTURE_FILE.fullmatch(file):
            raise ValueError(f"field `file`: {file[:80]!r} is not a capture file name")
        sha = text("sha256")
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise ValueError("field `sha256`: expected 64 hex digits")
        size = data.get("size")
        if type(size) is not int or size < 0:
            raise ValueError(f"field `size`: expected a byte count, got {size!r}")
        media_type = text("media_type")
        if media_type not in MEDIA_TYPES:
            raise ValueError(f"field `media_type`: {media_type!r} is not one of {sorted(MEDIA_TYPES)}")
        mismatch = data.get("charset_mismatch", False)
        if not isinstance(mismatch, bool):
            raise ValueError("field `charset_mismatch`: expected true or false")
        return cls(
            slug=slug,
            file=file,
            captured_at=parse_time(text("captured_at")),
            sha256=sha,
            size=size,
            media_type=media_type,
            source_url=text("source_url", optional=True),
            ingested_via=text("ingested_via"),
            ingested_at=parse_time(text("ingested_at")),
            declared_charset=text("declared_charset", optional=True),
            detected_charset=text("detected_charset", optional=True),
            charset_mismatch=mismatch,
            original_name=text("original_name", optional=True),
            wayback_url=text("wayback_url", optional=True),
            extra={k: v for k, v in data.items() if k not in _KNOWN},
        )


# What `Capture.to_json` writes as is, in field order (the free-form provenance comes last).
_CAPTURE_FIELDS = tuple(f for f in fields(Capture) if f.name not in ("slug", "extra"))


@dataclass(frozen=True)
class CaptureRef:
    captured_at: datetime
    file: str

    def to_json(self) -> dict[str, str]:
        return {"captured_at": format_iso(self.captured_at), "file": self.file}


@dataclass(frozen=True)
class Version:
    """One distinct normalised text of a policy, seen in one or more captures."""

    slug: str
    id: str
    sha256: str
    path: str  # relative to the archive directory
    captures: tuple[CaptureRef, ...]
    extractor_version: str
    meta: dict[str, Any] = field(default_factory=dict)

    def frozen(self) -> Version:
        """This version with its metadata read-only (for records that are shared)."""
        return replace(self, meta=freeze(self.meta))

    @property
    def first_seen(self) -> datetime:
        return self.captures[0].captured_at

    @property
    def last_seen(self) -> datetime:
        return self.captures[-1].captured_at

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sha256": self.sha256,
            "first_seen": format_iso(self.first_seen),
            "last_seen": format_iso(self.last_seen),
            "path": self.path,
            "captures": [ref.to_json() for ref in self.captures],
        }


@dataclass(frozen=True)
class Period:
    """A run of consecutive captures with the same version: the text in force then."""

    version: str
    start: datetime
    end: datetime
    captures: tuple[CaptureRef, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "from": format_iso(self.start),
            "to": format_iso(self.end),
            "captures": [ref.to_json() for ref in self.captures],
        }

"""Typed records shared by every stage. Frozen so a stage cannot edit another's output."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from .frozen import freeze
from .times import format_iso, parse_time


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
        data = asdict(self)
        data.pop("slug")
        extra = data.pop("extra")
        data["captured_at"] = format_iso(self.captured_at)
        data["ingested_at"] = format_iso(self.ingested_at)
        data.update(extra)
        return data

    @classmethod
    def from_json(cls, slug: str, data: dict[str, Any]) -> Capture:
        known = {
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
        return cls(
            slug=slug,
            file=data["file"],
            captured_at=parse_time(data["captured_at"]),
            sha256=data["sha256"],
            size=int(data["size"]),
            media_type=data["media_type"],
            source_url=data.get("source_url"),
            ingested_via=data["ingested_via"],
            ingested_at=parse_time(data["ingested_at"]),
            declared_charset=data.get("declared_charset"),
            detected_charset=data.get("detected_charset"),
            charset_mismatch=bool(data.get("charset_mismatch", False)),
            original_name=data.get("original_name"),
            wayback_url=data.get("wayback_url"),
            extra={k: v for k, v in data.items() if k not in known},
        )


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

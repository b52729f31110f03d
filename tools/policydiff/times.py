"""Capture times: parsed from many spellings, always stored and printed as UTC."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_WAYBACK_14 = re.compile(r"(?<!\d)((?:19|20)\d{12})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{6}T\d{6}Z)")


def to_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted. Microseconds dropped."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def parse_time(text: str) -> datetime:
    """Parse ISO 8601 (date or date-time, any offset), `YYYYMMDDTHHMMSSZ` or 14 digits.

    Raises ValueError with the offending text when nothing fits.
    """
    value = text.strip()
    if re.fullmatch(r"\d{14}", value):
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    if re.fullmatch(r"\d{8}T\d{6}Z", value):
        return datetime.strptime(value, STAMP_FORMAT).replace(tzinfo=UTC)
    if re.fullmatch(r"\d{8}", value):
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=UTC)
    try:
        return to_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        raise ValueError(f"unparseable date {text!r} (expected ISO 8601, e.g. 2017-11-21T21:45:41Z)") from None


def format_iso(moment: datetime) -> str:
    return to_utc(moment).strftime(ISO_FORMAT)


def format_stamp(moment: datetime) -> str:
    return to_utc(moment).strftime(STAMP_FORMAT)


def stamp_in_name(name: str) -> datetime | None:
    """A capture time written in a file name: `20171121T214541Z` or Wayback's 14 digits."""
    for pattern, fmt in ((_COMPACT, STAMP_FORMAT), (_WAYBACK_14, "%Y%m%d%H%M%S")):
        match = pattern.search(name)
        if match:
            try:
                return datetime.strptime(match.group(1), fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
    return None


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def build_date(environ: Mapping[str, str] | None = None) -> date:
    """The day a site is built for: `SOURCE_DATE_EPOCH` when set (reproducible builds, and
    tests that fix the day), else today in UTC. What is upcoming depends on it."""
    env = os.environ if environ is None else environ
    value = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return now_utc().date()
    try:
        return datetime.fromtimestamp(int(value), UTC).date()
    except (ValueError, OverflowError, OSError):
        from .errors import PolicyDiffError

        raise PolicyDiffError(f"SOURCE_DATE_EPOCH={value!r}: expected a number of seconds since 1970-01-01") from None

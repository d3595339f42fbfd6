"""When an article was published, from the date strings feeds and CMSs write (ISO 8601, RFC 2822, Unix time)."""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


def published_instant(value: str) -> float | None:
    """Seconds since 1970 (UTC) of an ISO 8601 or RFC 2822 date; a date without a zone is taken as UTC; None when
    the string is neither (canonical articles are then chosen without it)."""
    text = value.strip()
    try:
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" and text[:-1] else text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def iso_from_unix(seconds: float) -> str | None:
    """ISO 8601 (UTC) of a Unix time in seconds, None when out of range (milliseconds, say)."""
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None

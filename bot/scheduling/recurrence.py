"""Study-group recurrences: parse what a server manager types, compute the next run in UTC.

Rules are evaluated on the *local wall clock* of an IANA zone (python-dateutil's rrule, or croniter
for cron lines) and only then turned into UTC with zoneinfo, so "18:00 every Monday" stays 18:00
across DST changes. Two DST corner cases, by design:

- a wall time that does not exist (the spring-forward gap, e.g. 02:30) runs at the same distance
  after the gap opens (03:30), as zoneinfo maps it with the pre-transition offset (fold=0);
- a wall time that happens twice (the fall-back hour) runs once, at its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from croniter import CroniterBadCronError, CroniterBadDateError, CroniterNotAlphaError, croniter
from dateutil.rrule import DAILY, FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule, rrulestr, weekday

EXAMPLES = "`mon,thu 18:00`, `daily 09:30`, `every 2 weeks fri 17:00`, `monthly last 18:00` or a cron line like `0 18 * * 1,4`"
ZONE_EXAMPLES = "`Europe/Berlin`, `America/New_York`, `Asia/Kolkata` or `UTC`"
#: Study sessions are events, not pings: a rule may fire at most this often.
MIN_GAP = timedelta(hours=1)
#: Candidates examined per lookup: bounds the work for rules that almost never match.
_MAX_STEPS = 500

_DAYS: dict[str, weekday] = {"mon": MO, "tue": TU, "wed": WE, "thu": TH, "fri": FR, "sat": SA, "sun": SU}
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = re.compile(r"^(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?P<ampm>am|pm)?$")
_FILLER = frozenset({"at", "on", "the"})
_EVERY = re.compile(r"^every (?:(?P<n>\d{1,2}) )?(?P<unit>day|week|month)s?\b ?")


class RecurrenceError(ValueError):
    """A time or zone that cannot be used; the message says why and shows an example."""


def parse_zone(name: str) -> ZoneInfo:
    """The IANA zone called `name` (case-insensitive), or a RecurrenceError suggesting the closest name."""
    wanted = name.strip()
    zones = available_timezones()
    exact = next((z for z in zones if z.lower() == wanted.lower()), None)
    if exact is not None:
        return ZoneInfo(exact)
    from rapidfuzz import process

    guess = process.extractOne(wanted, sorted(zones)) if wanted else None
    hint = f" Did you mean `{guess[0]}`?" if guess and guess[1] >= 80 else ""
    raise RecurrenceError(f"Unknown time zone {wanted!r}.{hint} Use an IANA name such as {ZONE_EXAMPLES}.")


@dataclass(frozen=True)
class Recurrence:
    """A parsed schedule. `rule` is an RRULE line (no DTSTART) or a five-field cron line.

    `anchor` (UTC) is where intervals count from ("every 2 weeks" means weeks 0, 2, 4… after it).
    """

    kind: Literal["rrule", "cron"]
    rule: str
    zone: str
    anchor: datetime
    text: str = field(default="", compare=False)

    @cached_property
    def _tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @cached_property
    def _rrule(self) -> rrule:
        start = self.anchor.astimezone(self._tz).replace(tzinfo=None)
        return rrulestr(self.rule, dtstart=start)  # type: ignore[return-value]

    def _local_after(self, cursor: datetime) -> datetime | None:
        """The first local wall time strictly after naive `cursor`."""
        if self.kind == "rrule":
            return self._rrule.after(cursor, inc=False)
        try:
            return croniter(self.rule, cursor).get_next(datetime)
        except CroniterBadDateError:  # e.g. "0 9 30 2 *": no such date
            return None

    def next_after(self, after: datetime) -> datetime | None:
        """The first occurrence strictly after `after` (aware), in UTC; None if there is none."""
        if after.tzinfo is None:
            raise ValueError("next_after needs a timezone-aware datetime")
        # Start three hours back in wall time so a candidate inside a DST fold is not stepped over.
        cursor = after.astimezone(self._tz).replace(tzinfo=None) - timedelta(hours=3)
        for _ in range(_MAX_STEPS):
            candidate = self._local_after(cursor)
            if candidate is None:
                return None
            instant = candidate.replace(tzinfo=self._tz).astimezone(UTC)
            if instant > after:
                return instant
            cursor = candidate
        return None

    def local(self, when: datetime) -> datetime:
        """`when` on this schedule's wall clock."""
        return when.astimezone(self._tz)

    def upcoming(self, after: datetime, count: int) -> list[datetime]:
        found: list[datetime] = []
        cursor = after
        while len(found) < count and (nxt := self.next_after(cursor)) is not None:
            found.append(nxt)
            cursor = nxt
        return found


def _parse_time(token: str) -> tuple[int, int]:
    match = _TIME.match(token)
    if not match or (match["minute"] is None and match["ampm"] is None):
        raise RecurrenceError(f"I couldn't find a time like `18:00` in that. Try {EXAMPLES}.")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise RecurrenceError(f"{token!r} is not a time. Try {EXAMPLES}.")
        hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise RecurrenceError(f"{token!r} is not a time of day (00:00-23:59). Try {EXAMPLES}.")
    return hour, minute


def _parse_days(text: str) -> list[weekday]:
    if text in ("weekdays", "weekday"):
        return [MO, TU, WE, TH, FR]
    if text in ("weekends", "weekend"):
        return [SA, SU]
    days: list[weekday] = []
    for word in re.split(r"[,\s]+|\band\b", text):
        if not word:
            continue
        day = _DAYS.get(word[:3])
        if day is None or not _DAY_NAMES[day.weekday].lower().startswith(word):
            raise RecurrenceError(f"{word!r} is not a day of the week. Try {EXAMPLES}.")
        if day not in days:
            days.append(day)
    return days


def _parse_month_day(text: str) -> int:
    if text in ("last", "last day"):
        return -1
    match = re.fullmatch(r"(?:on )?(?:the )?(\d{1,2})(?:st|nd|rd|th)?", text)
    if not match or not 1 <= int(match[1]) <= 31:
        raise RecurrenceError(f"{text!r} is not a day of the month (1-31 or `last`). Try {EXAMPLES}.")
    return int(match[1])


def _natural_rule(text: str) -> str:
    """Turn `mon,thu 18:00`-style text into an RRULE line (wall-clock time, no DTSTART)."""
    words = [w for w in text.split(" ") if w not in _FILLER]
    # The time may come first or last ("18:00 mon,thu", "at 6:30pm on weekdays"): the last time-like word.
    at = next((i for i in reversed(range(len(words))) if _TIME.match(words[i]) and not words[i].isdigit()), -1)
    hour, minute = _parse_time(words[at])
    rest = " ".join(words[:at] + words[at + 1:] if at != -1 else words[:-1]).removeprefix("on ").strip()
    interval, unit = 1, ""
    if every := _EVERY.match(rest):
        interval, unit = int(every["n"] or 1), every["unit"]
        rest = rest[every.end():].strip()
    elif rest.split(" ")[0] in ("daily", "weekly", "monthly"):
        unit = {"daily": "day", "weekly": "week", "monthly": "month"}[rest.split(" ")[0]]
        rest = rest.partition(" ")[2].strip()
    if interval < 1:
        raise RecurrenceError(f"The interval must be at least 1. Try {EXAMPLES}.")
    rest = rest.removeprefix("on ").strip()
    kwargs: dict[str, object] = {"interval": interval, "byhour": hour, "byminute": minute, "bysecond": 0}
    if unit == "month":
        kwargs.update(freq=MONTHLY, bymonthday=_parse_month_day(rest) if rest else 1)
    elif unit == "day" and not rest:
        kwargs.update(freq=DAILY)
    elif rest:
        kwargs.update(freq=WEEKLY, byweekday=_parse_days(rest))
    elif unit == "week":
        raise RecurrenceError(f"Say which day, e.g. `every 2 weeks fri 17:00`. Try {EXAMPLES}.")
    else:
        raise RecurrenceError(f"Say how often, e.g. `daily 09:30`. Try {EXAMPLES}.")
    # The DTSTART here is a placeholder: only the RRULE line is kept (the anchor comes from the schedule).
    line = str(rrule(dtstart=datetime(2000, 1, 1), **kwargs))  # type: ignore[arg-type]  # noqa: DTZ001
    return next(part for part in line.splitlines() if part.startswith("RRULE:"))


def _looks_like_cron(text: str) -> bool:
    return text.startswith("@") or (len(text.split()) == 5 and not re.search(r"\d:\d", text))


def parse_recurrence(text: str, zone_name: str, *, now: datetime) -> Recurrence:
    """Parse `when` (natural form or cron line) in zone `zone_name`; check it happens, at most hourly."""
    zone = parse_zone(zone_name)
    normalized = " ".join(text.lower().split())
    normalized = re.sub(r"\s*,\s*", ",", normalized)
    if not normalized:
        raise RecurrenceError(f"Say when the sessions happen. Try {EXAMPLES}.")
    anchor_local = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    if _looks_like_cron(normalized):
        try:
            valid = croniter.is_valid(normalized)
        except (CroniterBadCronError, CroniterNotAlphaError):
            valid = False
        if not valid:
            raise RecurrenceError(f"{text!r} is not a valid cron line (minute hour day month weekday). "
                                  f"Try {EXAMPLES}.")
        recurrence = Recurrence("cron", normalized, zone.key, anchor_local.astimezone(UTC), text.strip())
    else:
        recurrence = Recurrence("rrule", _natural_rule(normalized), zone.key, anchor_local.astimezone(UTC),
                                text.strip())
    first_two = recurrence.upcoming(now, 2)
    if not first_two:
        raise RecurrenceError(f"{text!r} never happens. Try {EXAMPLES}.")
    if len(first_two) == 2 and first_two[1] - first_two[0] < MIN_GAP:
        raise RecurrenceError(f"{text!r} runs more than once an hour; study sessions need a gap of at "
                              f"least an hour. Try {EXAMPLES}.")
    return recurrence


def discord_timestamp(when: datetime, style: str = "F") -> str:
    """Discord's `<t:…>` markup: each reader sees the time in their own zone."""
    return f"<t:{int(when.timestamp())}:{style}>"

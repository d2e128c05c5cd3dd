"""Recurrence maths on an injected clock: natural forms, cron lines, DST, month ends, leap days, odd offsets."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduling.clock import ManualClock
from bot.scheduling.recurrence import RecurrenceError, discord_timestamp, parse_recurrence


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def upcoming(when: str, zone: str, now: datetime, count: int = 4) -> list[datetime]:
    clock = ManualClock(now)
    return parse_recurrence(when, zone, now=clock.now()).upcoming(clock.now(), count)


def test_weekday_list_in_berlin_is_stored_in_utc():
    # 2026-03-02 is a Monday; Berlin is UTC+1 in March before the 29th.
    assert upcoming("mon,thu 18:00", "Europe/Berlin", utc(2026, 3, 1, 12)) == [
        utc(2026, 3, 2, 17), utc(2026, 3, 5, 17), utc(2026, 3, 9, 17), utc(2026, 3, 12, 17)]


def test_daily_and_cron_forms_agree():
    now = utc(2026, 6, 10, 12)
    assert upcoming("daily 09:30", "UTC", now) == upcoming("30 9 * * *", "UTC", now)
    assert upcoming("at 6:30pm on weekdays", "UTC", now, 3) == [utc(2026, 6, 10, 18, 30), utc(2026, 6, 11, 18, 30),
                                                                 utc(2026, 6, 12, 18, 30)]


def test_every_two_weeks_keeps_a_fourteen_day_rhythm():
    times = upcoming("every 2 weeks fri 17:00", "America/New_York", utc(2026, 5, 1, 12), 4)
    assert [b - a for a, b in itertools.pairwise(times)] == [timedelta(days=14)] * 3
    assert times[0] == utc(2026, 5, 1, 21)  # 2026-05-01 is a Friday: 17:00 EDT that day


def test_the_first_run_is_strictly_after_now():
    now = utc(2026, 6, 10, 9, 30)
    assert upcoming("daily 09:30", "UTC", now, 1) == [utc(2026, 6, 11, 9, 30)]


def test_wall_time_survives_spring_forward_in_new_york():
    # DST starts 2026-03-08 in the US: 18:00 local moves from 23:00 UTC to 22:00 UTC.
    assert upcoming("daily 18:00", "America/New_York", utc(2026, 3, 6, 12), 4) == [
        utc(2026, 3, 6, 23), utc(2026, 3, 7, 23), utc(2026, 3, 8, 22), utc(2026, 3, 9, 22)]


def test_wall_time_survives_fall_back_in_berlin():
    # DST ends 2026-10-25 in Europe: 18:00 local moves from 16:00 UTC to 17:00 UTC.
    assert upcoming("daily 18:00", "Europe/Berlin", utc(2026, 10, 24, 0), 3) == [
        utc(2026, 10, 24, 16), utc(2026, 10, 25, 17), utc(2026, 10, 26, 17)]


def test_a_time_inside_the_spring_forward_gap_runs_once_just_after_it():
    # 02:30 does not exist on 2026-03-08 in New York: it runs at 03:30 EDT (07:30 UTC), once.
    assert upcoming("daily 02:30", "America/New_York", utc(2026, 3, 7, 0), 3) == [
        utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]


def test_a_time_in_the_repeated_hour_runs_once():
    # 01:30 happens twice on 2026-11-01 in New York (EDT then EST): one run, at the first.
    times = upcoming("daily 01:30", "America/New_York", utc(2026, 10, 31, 12), 3)
    assert times == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30), utc(2026, 11, 3, 6, 30)]


def test_a_two_hourly_cron_line_follows_the_wall_clock_through_fall_back():
    # Midnight is still EDT (04:00 UTC); 02:00 is already EST (07:00 UTC): a three-hour real gap.
    assert upcoming("0 */2 * * *", "America/New_York", utc(2026, 11, 1, 3), 4) == [
        utc(2026, 11, 1, 4), utc(2026, 11, 1, 7), utc(2026, 11, 1, 9), utc(2026, 11, 1, 11)]


def test_day_31_skips_shorter_months():
    assert upcoming("monthly 31 18:00", "UTC", utc(2026, 1, 1), 4) == [
        utc(2026, 1, 31, 18), utc(2026, 3, 31, 18), utc(2026, 5, 31, 18), utc(2026, 7, 31, 18)]


def test_last_day_of_month_follows_month_lengths_and_leap_years():
    assert upcoming("monthly last 09:00", "UTC", utc(2028, 1, 1), 4) == [
        utc(2028, 1, 31, 9), utc(2028, 2, 29, 9), utc(2028, 3, 31, 9), utc(2028, 4, 30, 9)]
    assert upcoming("monthly last 09:00", "UTC", utc(2026, 2, 1), 1) == [utc(2026, 2, 28, 9)]


def test_leap_day_cron_waits_for_the_next_leap_year():
    assert upcoming("0 9 29 2 *", "UTC", utc(2026, 3, 1), 2) == [utc(2028, 2, 29, 9), utc(2032, 2, 29, 9)]


def test_half_hour_offset_zones():
    # Kolkata is UTC+5:30 all year.
    assert upcoming("daily 09:30", "Asia/Kolkata", utc(2026, 6, 1), 1) == [utc(2026, 6, 1, 4)]
    # Adelaide is UTC+10:30 in summer and UTC+9:30 after DST ends on 2026-04-05.
    assert upcoming("daily 18:00", "Australia/Adelaide", utc(2026, 4, 3, 0), 3) == [
        utc(2026, 4, 3, 7, 30), utc(2026, 4, 4, 7, 30), utc(2026, 4, 5, 8, 30)]
    # Kathmandu's +5:45 too.
    assert upcoming("daily 06:00", "Asia/Kathmandu", utc(2026, 6, 1), 1) == [utc(2026, 6, 1, 0, 15)]


def test_leap_day_in_a_half_hour_zone_is_the_day_before_in_utc():
    assert upcoming("0 9 29 2 *", "Australia/Adelaide", utc(2026, 3, 1), 1) == [utc(2028, 2, 28, 22, 30)]


def test_zone_names_are_case_insensitive():
    assert parse_recurrence("daily 09:00", "europe/berlin", now=utc(2026, 1, 1)).zone == "Europe/Berlin"


@pytest.mark.parametrize(("when", "zone", "message"), [
    ("daily 9:00", "Europe/Berln", "Did you mean `Europe/Berlin`"),
    ("daily 9:00", "Mars/Olympus", "IANA name such as `Europe/Berlin`"),
    ("sometimes", "UTC", "`mon,thu 18:00`"),
    ("daily 25:00", "UTC", "not a time of day"),
    ("funday 18:00", "UTC", "not a day of the week"),
    ("every 2 weeks 17:00", "UTC", "Say which day"),
    ("monthly 32 18:00", "UTC", "not a day of the month"),
    ("0 9 30 2 *", "UTC", "never happens"),
    ("61 * * * *", "UTC", "not a valid cron line"),
    ("*/10 * * * *", "UTC", "more than once an hour"),
])
def test_bad_times_and_zones_get_a_clear_error_with_an_example(when: str, zone: str, message: str):
    with pytest.raises(RecurrenceError) as caught:
        parse_recurrence(when, zone, now=utc(2026, 1, 1))
    assert message in str(caught.value)


def test_discord_timestamp_markup():
    assert discord_timestamp(utc(2026, 1, 1)) == "<t:1767225600:F>"
    assert discord_timestamp(utc(2026, 1, 1), "R") == "<t:1767225600:R>"

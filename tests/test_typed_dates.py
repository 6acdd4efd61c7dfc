"""Dates typed as a recruiter says them ("tomorrow 9am", "3 Dec 14:30"), read in one way."""

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import dates
from app.dates import DateError, parse_typed

NOW = datetime(2026, 12, 1, 20, 15)  # a Tuesday evening, on the recruiter's own clock


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tomorrow 9am", datetime(2026, 12, 2, 9, 0)),
        ("Tomorrow at 9:30 PM", datetime(2026, 12, 2, 21, 30)),
        ("3 Dec 14:30", datetime(2026, 12, 3, 14, 30)),
        ("Dec 3, 2:30pm", datetime(2026, 12, 3, 14, 30)),
        ("3rd of December 2027 9:30pm", datetime(2027, 12, 3, 21, 30)),
        ("2026-12-03 14:30", datetime(2026, 12, 3, 14, 30)),
        ("2026-12-03T14:30", datetime(2026, 12, 3, 14, 30)),  # what the quick choices hold
        ("2026-12-03", datetime(2026, 12, 3, 9, 0)),  # a day alone: the calling day's start
        ("mon 2pm", datetime(2026, 12, 7, 14, 0)),
        ("next Monday", datetime(2026, 12, 7, 9, 0)),
        ("tue", datetime(2026, 12, 8, 9, 0)),  # the next Tuesday, never today
        ("in 2 days", datetime(2026, 12, 3, 9, 0)),
        ("in a week 10:30", datetime(2026, 12, 8, 10, 30)),
        ("3 Jan", datetime(2027, 1, 3, 9, 0)),  # the nearest 3 Jan: next month, not last January
        ("20 Nov 4pm", datetime(2026, 11, 20, 16, 0)),  # a call logged late: the recent one
        ("yesterday 4:05 pm", datetime(2026, 11, 30, 16, 5)),
        ("14:30", datetime(2026, 12, 1, 14, 30)),
        ("noon", datetime(2026, 12, 1, 12, 0)),
        ("now", datetime(2026, 12, 1, 20, 15)),
    ],
)
def test_what_a_recruiter_types_is_read_as_they_meant_it(typed, meant):
    assert parse_typed(typed, NOW) == meant


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("3 Dex 14:30", "“3 Dex 14:30” is not a date we can read"),
        ("9", "“9” is not a date we can read"),
        ("3/12 14:30", "is not a date we can read"),  # day-first or month-first: not guessed
        ("31 Apr", "“31 Apr” is not a real date"),
        ("25:00", "is not a real date"),
        ("13pm", "is not a real date"),
        ("3 Dec 99999", "is not a date we can read"),
        ("0000-01-01 10:00", "is not a real date"),
        ("2101-01-01 10:00", "“2101-01-01 10:00”: dates must fall between 1970-01-01"),
        ("in 999 weeks", "dates must fall between"),  # 2046 is fine; 999 weeks from 2090 not
    ],
)
def test_what_cannot_be_read_is_refused_quoting_what_was_typed(typed, message):
    now = NOW.replace(year=2090) if "weeks" in typed else NOW
    with pytest.raises(DateError) as refused:
        parse_typed(typed, now)
    assert message in str(refused.value)


WORDS = st.sampled_from(["today", "tomorrow", "yesterday", "mon", "next friday", "in 3 days",
                         "in 999 weeks", "3 dec", "dec 31", "31 feb", "29 feb", "noon", "now"])
PHRASES = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"\A[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}([ tT][0-9]{1,3}:[0-9]{1,3})?\Z"),
    st.from_regex(r"\A[0-9]{1,3} (jan|feb|dec)[a-z]{0,6}( [0-9]{1,6})?( [0-9]{1,3}(:[0-9]{2})?"
                  r" ?(am|pm)?)?\Z"),
    st.tuples(WORDS, st.from_regex(r"\A( at)? [0-9]{1,3}([:.h][0-9]{2})? ?(am|pm)?\Z")).map(
        "".join),
)
NOWS = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31, 23, 59))


@settings(max_examples=300, deadline=None)
@given(typed=PHRASES, now=NOWS)
def test_anything_typed_is_a_date_in_the_window_or_a_date_error_never_a_crash(typed, now):
    try:
        read = parse_typed(typed, now)
    except DateError as exc:
        assert str(exc)
        return
    assert dates.in_window(read.date()) and read.tzinfo is None and read.second == 0


@settings(max_examples=200, deadline=None)
@given(at=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31, 23, 59)),
       now=NOWS)
def test_a_date_written_out_in_full_reads_back_exactly(at, now):
    at = at.replace(second=0, microsecond=0)
    assert parse_typed(at.strftime("%Y-%m-%d %H:%M").rjust(16, "0"), now) == at
    written = f"{at.day} {at:%b} {at.year:04d} {at.hour % 12 or 12}:{at:%M}{at:%p}".lower()
    assert parse_typed(written, now) == at

"""Quick follow-ups: 9:00 on working days in the company's zone, shown in the recruiter's."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from app.dates import parse_wall_clock
from app.queue.quick_times import quick_follow_ups
from app.timezones import from_local
from tests import factories


def at(tz: str, y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def who(company_tz, user_tz):
    """Plain stand-ins: the function reads only the two zones."""
    return SimpleNamespace(timezone=company_tz), SimpleNamespace(timezone=user_tz)


def local_days(times, tz):
    return [(t.at.astimezone(ZoneInfo(tz)).date(), t.at.astimezone(ZoneInfo(tz)).hour)
            for t in times]


def test_midweek_choices_are_tomorrow_two_days_next_monday_and_a_week():
    company, user = who("America/New_York", "America/New_York")
    times = quick_follow_ups(company, user, at("America/New_York", 2026, 3, 4, 12))  # a Wed
    assert [t.key for t in times] == ["1", "2", "3", "4"]
    assert [t.label for t in times] == ["Tomorrow 9:00", "In 2 days, 9:00", "Next Monday 9:00",
                                        "In a week, 9:00"]
    assert local_days(times, "America/New_York") == [
        (date(2026, 3, 5), 9), (date(2026, 3, 6), 9), (date(2026, 3, 9), 9),
        (date(2026, 3, 11), 9)]
    assert times[0].company_local == "Thu 5 Mar 09:00 (America/New_York)"
    assert times[0].user_local == "2026-03-05T09:00"


def test_a_friday_call_moves_tomorrow_and_two_days_past_the_weekend_and_says_so():
    company, user = who("Europe/London", "Europe/London")
    times = quick_follow_ups(company, user, at("Europe/London", 2026, 3, 6, 15))  # a Friday
    assert local_days(times, "Europe/London") == [
        (date(2026, 3, 9), 9), (date(2026, 3, 10), 9), (date(2026, 3, 9), 9),
        (date(2026, 3, 13), 9)]
    assert times[0].label == "Mon 9:00 (next working day)"
    assert times[1].label == "Tue 9:00 (2 working days)"
    assert times[3].label == "In a week, 9:00"


def test_a_weekend_call_never_lands_on_a_weekend():
    company, user = who("Europe/London", "Europe/London")
    times = quick_follow_ups(company, user, at("Europe/London", 2026, 3, 7, 10))  # a Saturday
    assert [d for d, _ in local_days(times, "Europe/London")] == [
        date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 9), date(2026, 3, 16)]
    assert times[3].label == "Mon 9:00 (a week on, after the weekend)"


def test_times_are_the_company_s_9am_shown_in_the_recruiter_s_zone():
    company, user = who("Europe/Berlin", "America/New_York")
    # 23:30 Wednesday in New York is already Thursday in Berlin: tomorrow there is Friday.
    times = quick_follow_ups(company, user, at("America/New_York", 2026, 2, 4, 23, 30))
    assert times[0].company_local == "Fri 6 Feb 09:00 (Europe/Berlin)"
    assert times[0].at == datetime(2026, 2, 6, 8, 0, tzinfo=UTC)
    assert times[0].user_local == "2026-02-06T03:00"


def test_across_the_spring_change_9am_stays_9am_at_the_company():
    company, user = who("America/New_York", "Europe/Berlin")
    # US clocks go forward on Sun 8 March 2026, Europe's on 29 March.
    times = quick_follow_ups(company, user, at("America/New_York", 2026, 3, 6, 10))  # Friday
    monday = times[0]
    assert monday.at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 9:00 EDT, not 14:00 (EST)
    assert monday.user_local == "2026-03-09T14:00"  # the gap between the zones is 5h this week
    assert times[3].at == datetime(2026, 3, 13, 13, 0, tzinfo=UTC)


def test_kiritimati_and_pago_pago_are_a_day_apart():
    company, user = who("Pacific/Kiritimati", "Pacific/Pago_Pago")
    times = quick_follow_ups(company, user, at("Pacific/Kiritimati", 2026, 3, 6, 10))  # Fri
    assert times[0].company_local == "Mon 9 Mar 09:00 (Pacific/Kiritimati)"
    assert times[0].user_local == "2026-03-08T08:00"  # still Sunday morning in Pago Pago
    company, user = who("Pacific/Pago_Pago", "Pacific/Kiritimati")
    times = quick_follow_ups(company, user, at("Pacific/Pago_Pago", 2026, 3, 6, 10))
    assert times[0].company_local == "Mon 9 Mar 09:00 (Pacific/Pago_Pago)"
    assert times[0].user_local == "2026-03-10T10:00"  # Tuesday already in Kiritimati


def test_the_hour_the_recruiter_s_clock_repeats_moves_the_call_to_10():
    # Cairo's clocks fall back at midnight on Thu 30 Oct 2025: 23:00-24:00 happens twice. 9:00
    # Friday in Tarawa is the second 23:00 in Cairo, which a typed time cannot name.
    company, user = who("Pacific/Tarawa", "Africa/Cairo")
    times = quick_follow_ups(company, user, at("Pacific/Tarawa", 2025, 10, 30, 10))
    assert times[0].label == "Tomorrow 10:00"
    assert times[0].at == datetime(2025, 10, 30, 22, 0, tzinfo=UTC)
    assert times[0].user_local == "2025-10-31T00:00"


@pytest.mark.parametrize("pair", [("Pacific/Tarawa", "Africa/Cairo"),
                                  ("America/New_York", "Europe/Berlin"),
                                  ("Australia/Lord_Howe", "America/Santiago"),
                                  ("Pacific/Kiritimati", "Pacific/Pago_Pago"),
                                  ("Asia/Kolkata", "America/St_Johns")])
def test_every_choice_reads_back_as_the_same_instant_all_year(pair):
    company, user = who(*pair)
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    for hours in range(0, 366 * 24, 7):
        for choice in quick_follow_ups(company, user, start + timedelta(hours=hours)):
            typed = from_local(parse_wall_clock(choice.user_local), pair[1])
            assert typed == choice.at, (choice, hours)
            assert choice.at.astimezone(ZoneInfo(pair[0])).weekday() < 5


def test_zone_falls_back_to_the_recruiter_s_then_utc():
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)
    company, user = who(None, "Asia/Tokyo")
    assert quick_follow_ups(company, user, now)[0].company_local.endswith("(Asia/Tokyo)")
    company, user = who("Not/AZone", "also bad")
    first = quick_follow_ups(company, user, now)[0]
    assert first.company_local == "Thu 5 Mar 09:00 (UTC)" and first.user_local.endswith("T09:00")


def test_the_call_form_stores_the_chosen_time_exactly(logged_in, user, db):
    user.timezone = "Pacific/Pago_Pago"
    company = factories.CompanyFactory(timezone="Pacific/Kiritimati")
    db.session.commit()
    choice = quick_follow_ups(company, user, datetime.now(UTC))[2]
    response = logged_in.post("/calls/new", data={
        "company_id": str(company.id), "outcome": "call_back",
        "follow_up_at": choice.user_local, "follow_up_note": "Next Monday"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert company.calls[0].follow_up_at == choice.at

"""A status callback's Timestamp goes through the bounded date parser (app/dates.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Call
from tests.telephony.conftest import status_params, status_path


@pytest.mark.parametrize(
    "stamp",
    [
        "Fri, 31 Dec 9999 23:00:00 -1400",
        "Sat, 01 Jan 1901 00:00:00 +1400",
        "Thu, 26 Nov 2026 15:20:11 -0000",
        "not a date",
        "",
    ],
)
def test_a_status_timestamp_outside_the_window_or_without_a_zone_is_still_stored(
    twilio_post, browser_call, logged_in, stamp
):
    params = status_params(browser_call, "in-progress", 1, Timestamp=stamp)
    response = twilio_post(status_path(browser_call), params)
    assert response.status_code == 204, response.get_data(as_text=True)
    db.session.expire_all()
    call = db.session.get(Call, browser_call.id)
    if stamp.endswith("-0000"):  # RFC 2822: "-0000" is UTC with no local zone known
        assert call.answered_at == datetime(2026, 11, 26, 15, 20, 11, tzinfo=UTC)
    else:  # unusable: the time it arrived instead
        assert abs(call.answered_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert logged_in.get(f"/calls/{call.id}").status_code == 200

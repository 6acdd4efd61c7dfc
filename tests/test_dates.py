"""Dates from outside go through one bounded parser (app/dates.py); showing any stored date in
any time zone never fails, even for rows saved before the window existed."""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from app import dates
from app.auth.service import issue_token
from app.models import Call, Touchpoint, TouchpointKind
from app.timezones import all_timezones, to_local
from app.web import localtime
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.test_api import Api

FAR_FUTURE = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)  # overflows east of UTC (+14)
YEAR_ONE = datetime(1, 1, 1, 0, 0, tzinfo=UTC)  # overflows west of UTC (LMT -7:52 in LA)
# Kiritimati is UTC+14 and Pago Pago UTC-11 today; in year 1 (before standard time) Los
# Angeles is at local mean time -7:52 and Pago Pago at +12:37.
ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Los_Angeles"]
WINDOW = "between 1970-01-01 and 2100-12-31"


@pytest.fixture
def api(client, user):
    return Api(client, issue_token(user))


def _calls(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Call))


# -- Pages: a stored out-of-window row is shown (in UTC) instead of taking the page down --------


@pytest.mark.parametrize("stored", [FAR_FUTURE, YEAR_ONE], ids=["year-9999", "year-1"])
@pytest.mark.parametrize("tz", ZONES)
def test_every_page_that_shows_dates_survives_a_stored_out_of_range_date(
    logged_in, user, db, tz, stored
):
    user.timezone = tz
    db.session.commit()
    person = factories.PersonFactory(full_name="Zed Zebra")
    company = person.company
    call = factories.CallFactory(
        user=user,
        company=company,
        person=person,
        started_at=stored,
        follow_up_at=stored,
        notes="zebra crossing",
    )
    db.session.add(
        Touchpoint(
            person=person,
            user=user,
            kind=TouchpointKind.EMAIL,
            happened_at=stored,
            note="zebra mail",
        )
    )
    db.session.commit()
    pages = [
        "/",
        "/calls/",
        f"/calls/{call.id}",
        f"/calls/{call.id}/edit",
        "/companies/",
        f"/companies/{company.id}",
        f"/companies/{company.id}/org-chart",
        f"/people/{person.id}",
        "/search/?q=zebra",
        "/metrics",
    ]
    for url in pages:
        response = logged_in.get(url)
        assert response.status_code == 200, url
    detail = logged_in.get(f"/calls/{call.id}").get_data(as_text=True)
    assert str(stored.year) in detail  # shown as stored, in UTC, when the zone cannot hold it
    api = Api(logged_in, issue_token(user))
    assert (
        api.get(f"/api/v1/calls/{call.id}")
        .get_json()["started_at"]
        .startswith(stored.isoformat()[:10])
    )


def test_the_edit_form_shows_an_old_out_of_range_date_padded_and_refuses_it_again(logged_in, user):
    call = factories.CallFactory(user=user, started_at=YEAR_ONE)
    page = logged_in.get(f"/calls/{call.id}/edit").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="started_at"[^>]*>', page).group(0)
    assert 'value="0001-01-01 00:00"' in field and 'type="text"' in field
    response = logged_in.post(f"/calls/{call.id}/edit", data={
        "company_id": str(call.company_id), "outcome": "gatekeeper",
        "started_at": "0001-01-01 00:00"})
    assert response.status_code == 422
    assert "dates must fall between 1970-01-01 and 2100-12-31" in response.get_data(as_text=True)


# -- Forms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("field", ["started_at", "follow_up_at"])
@pytest.mark.parametrize(
    "typed", ["9999-12-31T23:00", "0001-01-01T00:00", "2101-01-01T00:00", "1969-12-31T23:59"]
)
def test_the_call_form_refuses_a_date_outside_the_window_beside_its_field(
    logged_in, user, db, tz, field, typed
):
    user.timezone = tz
    db.session.commit()
    company = factories.CompanyFactory()
    data = {"company_id": str(company.id), "outcome": "gatekeeper", field: typed}
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">[^<]*{WINDOW}', response.get_data(as_text=True))
    assert _calls(db) == 0


@pytest.mark.parametrize("tz", ZONES)
def test_the_call_form_takes_the_first_and_last_minutes_of_the_window(logged_in, user, db, tz):
    user.timezone = tz
    db.session.commit()
    company = factories.CompanyFactory()
    data = {
        "company_id": str(company.id),
        "outcome": "gatekeeper",
        "started_at": "1970-01-01T00:00",
        "follow_up_at": "2100-12-31T23:59",
    }
    assert logged_in.post("/calls/new", data=data).status_code == 302
    call = db.session.scalars(select(Call)).one()
    zone = ZoneInfo(tz)
    assert call.started_at == datetime(1970, 1, 1, tzinfo=zone)
    assert call.follow_up_at == datetime(2100, 12, 31, 23, 59, tzinfo=zone)
    assert logged_in.get("/").status_code == 200


def test_the_touchpoint_form_refuses_a_date_outside_the_window(logged_in, db):
    person = factories.PersonFactory()
    response = logged_in.post(
        f"/people/{person.id}/touchpoints",
        data={"kind": "email", "happened_at": "9999-12-31T23:59"},
    )
    assert response.status_code == 422
    assert WINDOW in response.get_data(as_text=True)


# -- The JSON API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["started_at", "follow_up_at"])
@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:00:00Z",
        "0001-01-01T00:00:00+00:00",
        "2101-01-01T00:00:00+14:00",
        "1969-12-31T23:59:59-11:00",
    ],
)
def test_the_api_refuses_a_date_time_outside_the_window_on_its_field(api, db, user, key, value):
    company = factories.CompanyFactory()
    response = api.post("/api/v1/calls", {"company_id": company.id, "outcome": "busy", key: value})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {key: dates.WINDOW_MESSAGE}
    assert _calls(db) == 0
    own = factories.CallFactory(company=company, user=user)
    response = api.patch(f"/api/v1/calls/{own.id}", {key: value})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {key: dates.WINDOW_MESSAGE}


def test_the_api_takes_the_window_edges_in_any_offset(api, db):
    company = factories.CompanyFactory()
    response = api.post(
        "/api/v1/calls",
        {
            "company_id": company.id,
            "outcome": "busy",
            "started_at": "1970-01-01T00:00:00+14:00",
            "follow_up_at": "2100-12-31T23:59:59-11:00",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["started_at"].startswith("1969-12-31T10:00:00")
    assert body["follow_up_at"].startswith("2101-01-01T10:59:59")


def test_a_naive_api_date_time_is_still_refused_for_its_missing_offset(api):
    company = factories.CompanyFactory()
    response = api.post(
        "/api/v1/calls",
        {"company_id": company.id, "outcome": "busy", "started_at": "2024-05-01T09:30:00"},
    )
    assert response.status_code == 422
    assert "offset" in response.get_json()["fields"]["started_at"]


@pytest.mark.parametrize("param", ["since", "until"])
def test_the_api_call_list_refuses_a_filter_outside_the_window(api, param):
    response = api.get("/api/v1/calls", **{param: "9999-12-31T23:59:59-11:00"})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {param: dates.WINDOW_MESSAGE}


def test_the_api_refuses_a_touchpoint_outside_the_window(api):
    person = factories.PersonFactory()
    response = api.post(
        f"/api/v1/people/{person.id}/touchpoints",
        {"kind": "email", "happened_at": "0001-01-01T00:00:00+14:00"},
    )
    assert response.status_code == 422
    assert response.get_json()["fields"]["happened_at"] == dates.WINDOW_MESSAGE


# -- List filters and search ----------------------------------------------------------------------


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("param", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_calls_list_names_a_filter_date_outside_the_window(
    logged_in, user, db, tz, param, value
):
    user.timezone = tz
    db.session.commit()
    response = logged_in.get("/calls/", query_string={param: value})
    assert response.status_code == 400
    assert re.search(rf'id="{param}-error">[^<]*{WINDOW}', response.get_data(as_text=True))


@pytest.mark.parametrize("tz", ZONES)
def test_metrics_refuses_a_custom_range_outside_the_window(logged_in, user, db, tz):
    user.timezone = tz
    db.session.commit()
    for first, last in (("9999-12-25", "9999-12-31"), ("0001-01-01", "0001-01-03")):
        response = logged_in.get(
            "/metrics", query_string={"period": "custom", "from": first, "to": last}
        )
        assert response.status_code == 400
        assert f"must fall {WINDOW}" in response.get_data(as_text=True)
        csv = logged_in.get(
            "/metrics.csv", query_string={"period": "custom", "from": first, "to": last}
        )
        assert csv.status_code == 400


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    "query",
    ["called:>0001-01-01", "called:<9999-12-31", "called:9999-12-31", "called:<=1969-12-31"],
)
def test_search_points_at_a_called_date_outside_the_window(logged_in, user, db, api, tz, query):
    user.timezone = tz
    db.session.commit()
    response = logged_in.get("/search/", query_string={"q": query})
    assert response.status_code == 400
    assert f"Dates must fall {WINDOW}" in response.get_data(as_text=True)
    body = api.get("/api/v1/search", q=query).get_json()
    assert body["position"] == len("called:") and WINDOW in body["error"]


@pytest.mark.parametrize("tz", ZONES)
def test_search_takes_the_window_edges_as_called_dates(logged_in, user, db, tz):
    user.timezone = tz
    db.session.commit()
    factories.CallFactory(user=user, started_at=datetime(2024, 5, 1, 12, tzinfo=UTC))
    for query in ("called:>=1970-01-01", "called:<=2100-12-31", "called:>1970-01-01"):
        assert logged_in.get("/search/", query_string={"q": query}).status_code == 200, query


# -- The parser itself ----------------------------------------------------------------------------


def test_the_window_is_one_set_of_constants_the_messages_quote():
    assert (dates.FIRST_DAY, dates.LAST_DAY) == (date(1970, 1, 1), date(2100, 12, 31))
    assert WINDOW in dates.WINDOW_MESSAGE and WINDOW in dates.WINDOW_DESCRIPTION


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1970-01-01", date(1970, 1, 1)),
        (" 2100-12-31 ", date(2100, 12, 31)),
    ],
)
def test_parse_date_reads_days_inside_the_window(text, expected):
    assert dates.parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1969-12-31",
        "2101-01-01",
        "0001-01-01",
        "9999-12-31",
        "2024-02-30",
        "20240501",
        "2024-W01-1",
        "٢٠٢٤-٠١-٠١",
        "",
        None,
        20240501,
    ],
)
def test_parse_date_refuses_everything_else_with_a_date_error(text):
    with pytest.raises(dates.DateError):
        dates.parse_date(text)


@pytest.mark.parametrize(
    "text",
    ["2024-05-01T14:30", "2024-05-01 14:30", "2024-05-01T14:30:59", "2024-05-01 14:30:59.123"],
)
def test_parse_wall_clock_reads_what_a_datetime_local_input_sends(text):
    assert dates.parse_wall_clock(text).replace(second=0, microsecond=0) == datetime(
        2024, 5, 1, 14, 30
    )


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01T14:30Z",
        "2024-05-01T14:30+02:00",
        "2024-05-01",
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "yesterday",
    ],
)
def test_parse_wall_clock_refuses_zones_bare_days_and_years_outside_the_window(text):
    with pytest.raises(dates.DateError):
        dates.parse_wall_clock(text)


# -- Properties -----------------------------------------------------------------------------------

PURE = settings(max_examples=200, deadline=None)
ANY_ZONE = st.sampled_from(sorted(all_timezones()))
ANY_OFFSET = st.timedeltas(
    min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59)
).map(timezone)
ANY_DATETIME = st.one_of(
    st.datetimes(timezones=st.one_of(st.none(), ANY_OFFSET, ANY_ZONE.map(ZoneInfo))),
    st.sampled_from(
        [
            datetime.min,
            datetime.max,
            datetime.min.replace(tzinfo=UTC),
            datetime.max.replace(tzinfo=UTC),
            FAR_FUTURE,
            YEAR_ONE,
        ]
    ),
)


def _text_around_dates():
    """Free text, and texts shaped like dates and date-times (the interesting part)."""
    iso = ANY_DATETIME.map(lambda d: d.isoformat())
    spaced = ANY_DATETIME.map(
        lambda d: d.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
    )
    return st.one_of(
        st.text(),
        iso,
        spaced,
        st.from_regex(
            r"\A[0-9+-]{1,6}-[0-9]{1,3}-[0-9]{1,3}([T ][0-9]{1,3}:[0-9]{1,3}(:[0-9]{2})?)?"
            r"(Z|[+-][0-9]{2}:[0-9]{2})?\Z"
        ),
    )


@PURE
@given(value=st.one_of(_text_around_dates(), ANY_DATETIME, st.dates(), st.none(), st.integers()))
def test_any_input_to_the_date_parsers_lands_in_the_window_or_is_a_date_error(value):
    for parse in (dates.parse_date, dates.parse_datetime, dates.parse_wall_clock):
        try:
            parsed = parse(value)
        except dates.DateError as exc:
            assert str(exc)
            continue
        assert dates.in_window(parsed if type(parsed) is date else parsed.date())
        if parse is dates.parse_datetime:
            assert parsed.tzinfo is not None
            for tz in ZONES:  # inside the window, every conversion works
                parsed.astimezone(ZoneInfo(tz))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # the app is only read
@given(value=ANY_DATETIME, tz=st.one_of(ANY_ZONE, st.text(max_size=80), st.none()))
def test_rendering_any_datetime_in_any_zone_never_raises(app, value, tz):
    shown = to_local(value, tz)
    assert shown.tzinfo is not None
    with app.test_request_context():  # signed out: shown in UTC
        assert localtime(value)


@PURE
@given(day=st.dates(min_value=dates.FIRST_DAY, max_value=dates.LAST_DAY), tz=ANY_ZONE)
def test_any_window_day_converts_in_any_zone(day, tz):
    from app.timezones import from_local

    start = from_local(datetime.combine(day, datetime.min.time()), tz)
    assert to_local(start, tz).tzinfo is not None


@pytest.mark.parametrize("name", ["a/" * 3000 + "b", "x" * 10_000, "../../etc/passwd", ""])
def test_a_hostile_time_zone_name_is_refused_not_a_500(api, logged_in, name):
    response = api.patch("/api/v1/me", {"timezone": name})
    assert response.status_code == 422
    response = logged_in.post("/profile", data={"name": "Rita", "timezone": name})
    assert response.status_code in (200, 422)


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"), reason="needs PostgreSQL")
def test_a_server_in_a_local_time_zone_still_loads_and_shows_out_of_range_rows(logged_in, user, db):
    """Debian's initdb gives the server the machine's zone; sessions must still read UTC."""
    name = db.engine.url.database
    call_id = factories.CallFactory(user=user, started_at=FAR_FUTURE, follow_up_at=YEAR_ONE).id
    with db.engine.connect() as conn:
        conn.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO 'Pacific/Kiritimati'"))
        conn.commit()
    try:
        db.session.remove()
        db.engine.dispose()  # new sessions pick up the database's new default zone
        for url in ("/", "/calls/", f"/calls/{call_id}"):
            assert logged_in.get(url).status_code == 200, url
        with db.engine.connect() as conn:
            assert conn.execute(text("SHOW timezone")).scalar() == "UTC"
    finally:
        db.session.remove()
        with db.engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" RESET timezone'))
            conn.commit()
        db.engine.dispose()

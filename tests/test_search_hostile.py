"""Hostile search queries (deep nesting, runs of NOT, too many terms, huge or unstorable text)
get a pointed error or results: never a 500, never a hang, on either database."""

import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.service import issue_token
from app.search.query import MAX_DEPTH, MAX_QUERY, MAX_TERMS, Not, QueryError, Term, parse
from app.search.service import Results, run_search
from tests import factories
from tests.test_api import Api

DEEP = "(" * 240 + "a" + ")" * 240  # under MAX_QUERY characters, far past any sane nesting


@pytest.fixture
def api(client, user):
    return Api(client, issue_token(user))


@pytest.fixture
def world(app, user):
    """A few rows for queries to match."""
    acme = factories.CompanyFactory(name="Acme Analytics")
    ann = factories.PersonFactory(company=acme, full_name="Ann Director", title="Director")
    factories.CallFactory(
        user=user,
        company=acme,
        person=ann,
        notes="Budget approved",
        started_at=datetime(2026, 3, 2, 15, tzinfo=UTC),
    )
    return {"acme": acme, "ann": ann}


def _error(text: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(text)
    return caught.value


def test_nesting_past_the_limit_is_refused_at_the_parenthesis_that_goes_too_deep():
    error = _error(DEEP)
    assert error.position == MAX_DEPTH
    assert f"at most {MAX_DEPTH} levels" in error.message


def test_nesting_up_to_the_limit_still_reads(world):
    query = "(" * MAX_DEPTH + "director" + ")" * MAX_DEPTH
    assert parse(query) == Term("director")
    assert run_search(query, timezone="Pacific/Kiritimati").people.total == 1


def test_deep_nesting_is_a_400_with_the_position_on_the_page_and_in_the_api(logged_in, api):
    response = logged_in.get("/search/", query_string={"q": DEEP})
    assert response.status_code == 400
    assert "nest too deep" in response.get_data(as_text=True)
    response = api.get("/api/v1/search", q=DEEP)
    assert response.status_code == 400
    assert response.get_json()["position"] == MAX_DEPTH


@pytest.mark.parametrize("run", ["NOT " * 120, "-" * 480, "NOT -" * 90])
def test_a_run_of_nots_reads_as_one_or_none(world, logged_in, run):
    negations = run.count("NOT") + run.count("-")
    expected = Not(Term("director")) if negations % 2 else Term("director")
    assert parse(run + "director") == expected
    assert logged_in.get("/search/", query_string={"q": run + "director"}).status_code == 200


def test_too_many_terms_are_refused_at_the_first_one_too_many():
    words = [f"w{i}" for i in range(MAX_TERMS + 5)]
    error = _error(" OR ".join(words))
    assert error.position == " OR ".join(words).index(words[MAX_TERMS])
    assert f"At most {MAX_TERMS} terms" in error.message


def test_an_overlong_query_is_refused_before_it_is_read(logged_in, api):
    query = "a " * 5000
    assert _error(query).position == MAX_QUERY
    assert logged_in.get("/search/", query_string={"q": query}).status_code == 400
    # The API checks its query parameters against the OpenAPI document first (q's maxLength).
    response = api.get("/api/v1/search", q=query)
    assert response.status_code == 422 and "q" in response.json["fields"]


@pytest.mark.parametrize("text", ["ann\x00", "ann \ud800 director"])
def test_text_no_database_can_hold_is_refused_at_its_character(world, text):
    with pytest.raises(QueryError) as caught:
        run_search(text)
    assert caught.value.position == len("ann") + (text[3] == " ")


def test_the_costliest_accepted_query_answers_quickly(world):
    """Thirty prefix terms, half negated, nested to the limit: still well under a second."""
    terms = " OR ".join(f"{'-' if i % 2 else ''}d{i}*" for i in range(MAX_TERMS - 1))
    query = "(" * MAX_DEPTH + terms + ")" * MAX_DEPTH + " a*"
    assert len(query) <= MAX_QUERY
    started = time.perf_counter()
    run_search(query)
    assert time.perf_counter() - started < 2


# -- Properties -----------------------------------------------------------------------------------

SYNTAX = [
    "(",
    ")",
    '"',
    "-",
    "*",
    ":",
    " ",
    "AND",
    "OR",
    "NOT",
    "title:",
    "called:",
    "called:>",
    "status:",
    "outcome:",
    "2024-01-01",
    "0001-01-01",
    "9999-12-31",
    "director",
    "é",
    "ß",
    "\x00",
    "\t",
    "'",
    "%",
    "_",
    "\\",
    "a",
    "1",
]
WORDS = st.sampled_from(
    [
        "director",
        "ann",
        "acme",
        "budget",
        "fin*",
        '"vice president"',
        "status:uncovered",
        "outcome:voicemail",
        "called:>2026-01-01",
        "called:<=2026-12-31",
        "recruiter:rita",
        "title:director",
        "é",
        "_",
    ]
)


def _query_trees():
    """Well-formed queries of any shape (some past the limits), as text."""
    return st.recursive(
        WORDS,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(" ".join),
            st.tuples(inner, st.sampled_from([" AND ", " OR "]), inner).map("".join),
            inner.map(lambda q: f"NOT {q}"),
            inner.map(lambda q: f"-{q}"),
            inner.map(lambda q: f"({q})"),
            inner.map(lambda q: f"title:({q})"),
        ),
        max_leaves=40,
    )


QUERIES = st.one_of(
    st.text(max_size=600),
    st.lists(st.sampled_from(SYNTAX), max_size=200).map("".join),
    _query_trees(),
)


@settings(max_examples=200, deadline=None)
@given(text=QUERIES)
def test_any_text_parses_or_gets_a_pointed_error(text):
    try:
        parse(text)
    except QueryError as exc:
        assert exc.message and 0 <= exc.position <= max(len(text), MAX_QUERY)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # searches only read
@given(text=QUERIES, tz=st.sampled_from(["Pacific/Kiritimati", "Pacific/Pago_Pago", "nowhere"]))
def test_any_text_searched_gives_results_or_a_pointed_error(world, text, tz):
    try:
        results = run_search(text, timezone=tz)
    except QueryError as exc:
        assert exc.message
    else:
        assert isinstance(results, Results) and results.total >= 0


@pytest.mark.parametrize("saved", ["99999999999999999999999", "2147483648", "+19005550100", "-1"])
def test_a_saved_search_id_no_row_can_have_runs_the_query_without_marking_anything(
    world, logged_in, saved
):
    response = logged_in.get("/search/", query_string={"q": "Budget", "saved": saved})
    assert response.status_code == 200
    assert 'value="Budget"' in response.get_data(as_text=True)

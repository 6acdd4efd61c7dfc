"""The Boolean query language: precedence, quoting, fields, NOT, prefixes, dates, and errors."""

from datetime import date

import pytest

from app.search.query import And, DateCompare, Not, Or, QueryError, Term, parse, positive_terms


def t(text, field=None, **kw):
    return Term(text, field, **kw)


def test_terms_side_by_side_are_anded():
    assert parse("java python") == And((t("java"), t("python")))


def test_or_binds_looser_than_and_and_not_binds_tightest():
    # LinkedIn's precedence: a OR b NOT c  ==  a OR (b AND NOT c)
    assert parse("a OR b NOT c") == Or((t("a"), And((t("b"), Not(t("c"))))))
    assert parse("a AND b OR c") == Or((And((t("a"), t("b"))), t("c")))


def test_parentheses_group():
    assert parse("(a OR b) c") == And((Or((t("a"), t("b"))), t("c")))


def test_minus_is_not_but_a_hyphen_inside_a_word_is_not():
    assert parse("-intern") == Not(t("intern"))
    assert parse("engineer -intern") == And((t("engineer"), Not(t("intern"))))
    assert parse("e-commerce") == t("e-commerce")


def test_quotes_make_a_phrase_and_terms_are_lowercased():
    assert parse('"Vice  President" Sales') == And((t("vice president", phrase=True), t("sales")))


def test_a_star_makes_a_prefix():
    assert parse("engin*") == t("engin", prefix=True)


def test_a_field_applies_to_the_term_or_group_after_it():
    query = 'title:(director OR "vice president") AND department:finance NOT intern'
    assert parse(query) == And((
        Or((t("director", "title"), t("vice president", "title", phrase=True))),
        t("finance", "department"),
        Not(t("intern")),
    ))
    assert parse("Name:ann") == t("ann", "name")
    assert parse("title:-intern") == Not(t("intern", "title"))


def test_dates_compare():
    assert parse("called:>2026-01-01") == DateCompare("called", ">", date(2026, 1, 1))
    assert parse("called:2026-03-05") == DateCompare("called", "=", date(2026, 3, 5))
    assert parse("called:<=2026-02-28 outcome:connected") == And((
        DateCompare("called", "<=", date(2026, 2, 28)), t("connected", "outcome")))


def test_lowercase_operators_are_plain_words():
    assert parse("rock and roll") == And((t("rock"), t("and"), t("roll")))


@pytest.mark.parametrize(("query", "position", "words"), [
    ("(java OR python", 0, "never closed"),
    ("java)", 4, "no opening"),
    ('"vice president', 0, "never closed"),
    ("salary:high", 0, "Unknown field"),
    ("java OR", 7, "ends where a term"),
    ("OR java", 0, "needs a term before"),
    ("title:", 0, "needs a term"),
    ("()", 1, "Empty parentheses"),
    ('""', 0, "Empty quotes"),
    ("*", 0, "needs letters"),
    ("ja*va", 0, "only at the end"),
    ("called:yesterday", 7, "YYYY-MM-DD"),
    ("called:>2026-02-30", 7, "does not exist"),
    ("title:(name:ann)", 7, "field inside a field"),
    ("", 0, "Type something"),
])
def test_a_malformed_query_points_at_the_problem(query, position, words):
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position
    assert words in caught.value.message


def test_very_long_or_very_busy_queries_are_refused():
    with pytest.raises(QueryError):
        parse("a" * 501)
    with pytest.raises(QueryError, match="At most"):
        parse(" ".join(f"w{i}" for i in range(31)))


def test_positive_terms_leave_out_negated_ones():
    assert [term.text for term in positive_terms(parse("a OR b NOT c"))] == ["a", "b"]

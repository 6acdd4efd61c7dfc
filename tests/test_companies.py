"""Target companies: adding and editing them, the searchable list, and the company page."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Company, Outcome
from tests import factories


def _form(**fields):
    data = {"name": "Initech", "domain": "", "main_phone": "", "country": "US", "timezone": "",
            "location": "", "industry": "", "email_pattern": "", "off_limits_reason": "",
            "notes": ""}
    return data | fields


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Company))


def _listed(page: str) -> list[str]:
    """Company names in the order the list shows them."""
    return re.findall(r'<a href="/companies/\d+">([^<]+)</a>', page)


def test_a_us_main_line_without_country_code_is_stored_e164_and_shown_national(logged_in, db):
    response = logged_in.post("/companies/new", data=_form(main_phone="(415) 555-2671"))
    assert response.status_code == 302
    company = db.session.scalars(select(Company)).one()
    assert company.main_phone == "+14155552671" and company.country == "US"
    assert response.headers["Location"].endswith(f"/companies/{company.id}")
    page = logged_in.get(f"/companies/{company.id}").get_data(as_text=True)
    assert 'href="tel:+14155552671"' in page and ">(415) 555-2671</a>" in page


def test_a_main_line_is_read_in_the_companys_own_country(logged_in, db):
    response = logged_in.post("/companies/new", data=_form(
        name="Globex UK", main_phone="020 7946 0018", country="GB", timezone="Europe/London"))
    assert response.status_code == 302, response.get_data(as_text=True)
    company = db.session.scalars(select(Company)).one()
    assert company.main_phone == "+442079460018" and company.country == "GB"
    assert company.timezone == "Europe/London"
    page = logged_in.get(f"/companies/{company.id}").get_data(as_text=True)
    # A US team dials abroad, so a foreign number keeps its country code.
    assert 'href="tel:+442079460018"' in page and ">+44 20 7946 0018</a>" in page


def test_the_country_defaults_to_the_configured_one(logged_in, db):
    page = logged_in.get("/companies/new").get_data(as_text=True)
    assert re.search(r'name="country"[^>]*value="US"', page)
    logged_in.post("/companies/new", data=_form(country="", main_phone="212 555 0100"))
    company = db.session.scalars(select(Company)).one()
    assert company.country == "US" and company.main_phone == "+12125550100"


def test_an_invalid_main_line_is_refused_with_a_message_and_the_input_kept(logged_in, db):
    response = logged_in.post("/companies/new", data=_form(name="Typo Inc",
                                                           main_phone="555-12"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“555-12” is not a valid number in US" in page.replace("&#8220;", "“").replace(
        "&#8221;", "”")
    assert 'value="555-12"' in page and 'value="Typo Inc"' in page
    assert _count(db) == 0


def test_an_unknown_country_code_is_refused(logged_in, db):
    response = logged_in.post("/companies/new", data=_form(country="XX"))
    assert response.status_code == 422
    assert "Use a two-letter country code" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_a_duplicate_company_name_is_refused_ignoring_case(logged_in, db):
    factories.CompanyFactory(name="Initech")
    response = logged_in.post("/companies/new", data=_form(name="  INITECH "))
    assert response.status_code == 422
    assert "Initech is already on file." in response.get_data(as_text=True)
    assert _count(db) == 1


def test_a_ten_thousand_character_name_is_refused_clearly_and_nothing_is_written(logged_in, db):
    response = logged_in.post("/companies/new", data=_form(name="A" * 10_000))
    assert response.status_code == 422
    assert "Keep this under 200 characters (you typed 10000)" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_a_company_needs_a_name(logged_in, db):
    response = logged_in.post("/companies/new", data=_form(name="   "))
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert _count(db) == 0


def test_editing_a_company_rereads_its_main_line_in_its_new_country(logged_in, db):
    company = factories.CompanyFactory(name="Initech", main_phone="+12125550100")
    response = logged_in.post(f"/companies/{company.id}/edit", data=_form(
        name="Initech Ltd", country="GB", main_phone="020 7946 0018"))
    assert response.status_code == 302
    db.session.refresh(company)
    assert (company.name, company.country, company.main_phone) == (
        "Initech Ltd", "GB", "+442079460018")


def test_renaming_a_company_to_another_companys_name_is_refused(logged_in, db):
    factories.CompanyFactory(name="Globex")
    company = factories.CompanyFactory(name="Initech")
    response = logged_in.post(f"/companies/{company.id}/edit", data=_form(name="globex"))
    assert response.status_code == 422
    assert "Globex is already on file." in response.get_data(as_text=True)
    db.session.refresh(company)
    assert company.name == "Initech"


def test_saving_a_company_under_its_own_name_is_not_a_duplicate(logged_in, db):
    company = factories.CompanyFactory(name="Initech")
    response = logged_in.post(f"/companies/{company.id}/edit",
                              data=_form(name="Initech", industry="Software"))
    assert response.status_code == 302
    db.session.refresh(company)
    assert company.industry == "Software"


def test_the_company_list_searches_name_domain_industry_and_location(logged_in):
    factories.CompanyFactory(name="Initech", domain="initech.example", industry="Software",
                             location="Austin, TX")
    factories.CompanyFactory(name="Globex", domain="globex.example", industry="Energy",
                             location="Cypress Creek")
    factories.CompanyFactory(name="Umbrella", domain="umbrella.example", industry="Pharma",
                             location="Raccoon City")
    for q, expected in [("initech", ["Initech"]), ("GLOBEX.EXAMPLE", ["Globex"]),
                        ("pharma", ["Umbrella"]), ("austin", ["Initech"]), ("zzz", [])]:
        response = logged_in.get("/companies/", query_string={"q": q})
        assert response.status_code == 200
        assert _listed(response.get_data(as_text=True)) == expected, q


def test_the_company_list_sorts_by_name_newest_or_most_people(logged_in):
    base = datetime(2024, 1, 1, tzinfo=UTC)
    beta = factories.CompanyFactory(name="Beta", created_at=base)
    factories.CompanyFactory(name="Alpha", created_at=base + timedelta(days=2))
    gamma = factories.CompanyFactory(name="Gamma", created_at=base + timedelta(days=1))
    factories.PersonFactory.create_batch(3, company=gamma)
    factories.PersonFactory.create_batch(1, company=beta)
    # Calls must not inflate the people count.
    factories.CallFactory.create_batch(4, company=beta)

    def order(sort):
        page = logged_in.get("/companies/", query_string={"sort": sort}).get_data(as_text=True)
        return _listed(page)

    assert order("name") == ["Alpha", "Beta", "Gamma"]
    assert order("recent") == ["Alpha", "Gamma", "Beta"]
    assert order("people") == ["Gamma", "Beta", "Alpha"]
    assert order("nonsense") == ["Alpha", "Beta", "Gamma"]


def test_the_company_list_shows_people_and_call_counts(logged_in):
    company = factories.CompanyFactory(name="Initech")
    factories.PersonFactory.create_batch(2, company=company)
    factories.CallFactory.create_batch(3, company=company)
    page = logged_in.get("/companies/").get_data(as_text=True)
    assert '<td class="num">2</td><td class="num">3</td>' in page


def test_the_company_list_is_paginated(logged_in, app):
    app.config["PAGE_SIZE"] = 2
    for name in ["Echo", "Alpha", "Delta", "Bravo", "Charlie"]:
        factories.CompanyFactory(name=name)
    first = logged_in.get("/companies/").get_data(as_text=True)
    assert _listed(first) == ["Alpha", "Bravo"]
    assert "Page 1 of 3 · 5 in all" in first
    assert _listed(logged_in.get("/companies/?page=2").get_data(as_text=True)) == [
        "Charlie", "Delta"]
    assert _listed(logged_in.get("/companies/?page=3").get_data(as_text=True)) == ["Echo"]
    assert _listed(logged_in.get("/companies/?page=9").get_data(as_text=True)) == []


def test_pagination_links_keep_the_search_and_sort(logged_in, app):
    app.config["PAGE_SIZE"] = 1
    factories.CompanyFactory(name="Acme One")
    factories.CompanyFactory(name="Acme Two")
    factories.CompanyFactory(name="Other", domain="other.example")
    page = logged_in.get("/companies/?q=acme&sort=recent").get_data(as_text=True)
    assert "Page 1 of 2" in page
    link = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "q=acme" in link and "sort=recent" in link and "page=2" in link


def test_the_company_page_shows_its_people_calls_and_open_follow_ups(logged_in, user):
    company = factories.CompanyFactory(name="Initech")
    boss = factories.PersonFactory(company=company, full_name="Bill Lumbergh")
    factories.PersonFactory(company=company, full_name="Peter Gibbons", reports_to=boss)
    factories.PersonFactory(full_name="Someone Elsewhere")
    soon = datetime.now(UTC) + timedelta(days=2)
    open_call = factories.CallFactory(company=company, user=user, follow_up_at=soon,
                                      follow_up_note="Ask for the TPS reports",
                                      outcome=Outcome.VOICEMAIL)
    done_call = factories.CallFactory(company=company, user=user, follow_up_at=soon,
                                      follow_up_note="Already handled",
                                      follow_up_done_at=datetime.now(UTC))
    other_call = factories.CallFactory()
    page = logged_in.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Bill Lumbergh" in page and "Peter Gibbons" in page
    assert '<td class="reports-to">Bill Lumbergh</td>' in page
    assert "Someone Elsewhere" not in page
    assert f'href="/calls/{open_call.id}"' in page and f'href="/calls/{done_call.id}"' in page
    assert f'href="/calls/{other_call.id}"' not in page
    assert "Open follow-ups" in page and "Ask for the TPS reports" in page
    assert "Already handled" not in page
    assert f'href="/calls/new?follow_up={open_call.id}"' in page


def test_html_in_company_notes_is_escaped(logged_in):
    company = factories.CompanyFactory(notes="<b>bold</b> <img src=x onerror=alert(1)>")
    page = logged_in.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;" in page


def test_off_limits_companies_are_flagged_on_their_page(logged_in):
    company = factories.CompanyFactory(off_limits=True, off_limits_reason="Client since 2024")
    page = logged_in.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Off limits." in page and "Client since 2024" in page


@pytest.mark.parametrize("path", ["/companies/9999", "/companies/9999/edit"])
def test_an_unknown_company_is_404(logged_in, path):
    assert logged_in.get(path).status_code == 404

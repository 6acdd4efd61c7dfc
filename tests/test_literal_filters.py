"""List filters read what was typed literally: "%" or "_" matches those characters, not everything.

The API escaped LIKE wildcards; the pages did not, so a search for "100%" or "r_d" on the company,
people and call lists, the call form's company lookup and search's by: matched unrelated rows.
"""

import pytest

from tests import factories


@pytest.fixture
def rows(user):
    percent = factories.CompanyFactory(name="100% Fit", industry="Gyms")
    plain = factories.CompanyFactory(name="Acme", industry="Anvils")
    factories.PersonFactory(company=percent, full_name="Ida R_D", title="Head of R_D")
    factories.PersonFactory(company=plain, full_name="Ola Rod", title="Research")
    factories.CallFactory(user=user, company=percent)
    factories.CallFactory(user=user, company=plain)
    return percent, plain


@pytest.mark.parametrize(
    ("url", "wanted", "unwanted"),
    [
        ("/companies/?q=%25", "100% Fit", "Acme"),
        ("/people/?q=r_d", "Ida R_D", "Ola Rod"),
        ("/calls/?company_name=%25", "100% Fit", "Acme"),
    ],
)
def test_a_wildcard_character_in_a_list_filter_matches_only_itself(
    logged_in, rows, url, wanted, unwanted
):
    page = logged_in.get(url).get_data(as_text=True)
    table = page[page.index("<tbody>") : page.index("</tbody>")]  # not the filter's own choices
    assert wanted in table and unwanted not in table


def test_the_call_forms_company_lookup_reads_percent_literally(logged_in, rows):
    found = logged_in.get("/calls/company-lookup?q=0%25").get_json()["companies"]
    assert [c["name"] for c in found] == ["100% Fit"]
    assert logged_in.get("/calls/company-lookup?q=%25%25").get_json()["companies"] == []

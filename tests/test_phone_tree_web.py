"""Phone trees on the web: the company page, the editor, saving the keys sent during a call."""

import json
import re

import pytest

from app.companies.phone_tree import save_steps, step_dict, steps_of
from app.telephony.dialer import build_dialer
from tests import factories

PATH = [{"digits": "2", "wait_seconds": 3, "label": "Main menu: sales"},
        {"digits": "{ext}", "wait_seconds": 0, "label": None}]


@pytest.fixture
def company(app):
    return factories.CompanyFactory(name="Initech", main_phone="+12125550100")


def _steps(company):
    return [step_dict(s) for s in steps_of(company)]


def test_the_company_page_shows_the_path_and_a_link_to_edit_it(logged_in, company):
    save_steps(company, PATH + [{"digits": "", "label": "<b>Say</b> operator"}])
    page = logged_in.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Main menu: sales" in page and "then wait 3 s" in page
    assert "the extension" in page and "by hand" in page
    assert "&lt;b&gt;Say&lt;/b&gt; operator" in page  # escaped
    assert f'href="/companies/{company.id}/phone-tree"' in page
    assert "Gatekeepers on this line" in page


def test_a_company_without_a_path_offers_to_add_one(logged_in, company):
    page = logged_in.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "No path through the phone menu saved yet" in page and "Add a path" in page


def test_the_editor_shows_the_saved_steps_and_three_blank_rows(logged_in, company):
    save_steps(company, PATH)
    page = logged_in.get(f"/companies/{company.id}/phone-tree").get_data(as_text=True)
    assert 'name="steps-0-digits"' in page and 'value="Main menu: sales"' in page
    assert 'name="steps-4-digits"' in page and 'name="steps-5-digits"' not in page
    assert 'name="steps-__i__-digits"' in page  # the row template for "Add a step"


def test_the_editor_saves_the_filled_rows_in_order_and_drops_blank_ones(logged_in, company, db):
    save_steps(company, PATH)
    form = {"steps-0-digits": "1", "steps-0-wait_seconds": "2", "steps-0-label": "Language",
            "steps-1-digits": "", "steps-1-wait_seconds": "", "steps-1-label": "",
            "steps-7-digits": "3", "steps-7-wait_seconds": "", "steps-7-label": ""}
    response = logged_in.post(f"/companies/{company.id}/phone-tree", data=form)
    assert response.status_code == 302 and response.location.endswith("#phone-tree")
    assert _steps(company) == [{"digits": "1", "wait_seconds": 2, "label": "Language"},
                               {"digits": "3", "wait_seconds": 0, "label": None}]


def test_clearing_every_row_clears_the_path(logged_in, company):
    save_steps(company, PATH)
    form = {"steps-0-digits": "", "steps-0-wait_seconds": "", "steps-0-label": ""}
    assert logged_in.post(f"/companies/{company.id}/phone-tree", data=form).status_code == 302
    assert steps_of(company) == []


def test_editor_errors_stand_beside_their_row_and_nothing_is_saved(logged_in, company):
    save_steps(company, PATH)
    form = {"steps-0-digits": "", "steps-0-wait_seconds": "", "steps-0-label": "",
            "steps-1-digits": "1", "steps-1-wait_seconds": "", "steps-1-label": "",
            "steps-2-digits": "9x", "steps-2-wait_seconds": "500", "steps-2-label": ""}
    response = logged_in.post(f"/companies/{company.id}/phone-tree", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # The third row of the form (the second kept one) carries both messages.
    assert re.search(r'id="steps-2-digits-error">Use 0-9', page)
    assert re.search(r'id="steps-2-wait_seconds-error">Must be a whole number', page)
    assert 'value="9x"' in page
    assert _steps(company) == PATH


def test_more_rows_than_the_limit_are_refused_not_dropped(logged_in, company):
    form = {f"steps-{i}-digits": "1" for i in range(21)}
    response = logged_in.post(f"/companies/{company.id}/phone-tree", data=form)
    assert response.status_code == 422 and "At most 20 steps" in response.get_data(as_text=True)
    assert steps_of(company) == []


def test_a_hostile_row_number_is_ignored_not_a_500(logged_in, company):
    form = {"steps-²-digits": "1", "steps-0-digits": "2"}
    response = logged_in.post(f"/companies/{company.id}/phone-tree", data=form)
    assert response.status_code == 302 and [s["digits"] for s in _steps(company)] == ["2"]


def test_an_unknown_company_has_no_editor(logged_in, app):
    assert logged_in.get("/companies/999/phone-tree").status_code == 404
    assert logged_in.post("/companies/999/phone-tree/from-keys", data={}).status_code == 404


def test_the_editor_needs_a_signed_in_user(client, company):
    response = client.post(f"/companies/{company.id}/phone-tree", data={"steps-0-digits": "1"})
    assert response.status_code == 302 and "/login" in response.location
    assert steps_of(company) == []


# Saving the keys sent during a call


def _from_keys(client, company, keys, **extra):
    data = {"keys": json.dumps(keys) if not isinstance(keys, str) else keys, **extra}
    return client.post(f"/companies/{company.id}/phone-tree/from-keys", data=data)


KEYS = [{"digits": "2", "at_ms": 1000}, {"digits": "1", "at_ms": 6200},
        {"digits": "{ext}", "at_ms": 9000}]


def test_keys_sent_during_a_call_become_the_path(logged_in, company):
    response = _from_keys(logged_in, company, KEYS)
    assert response.status_code == 200
    assert response.get_json()["message"] == "Saved as the phone tree: 3 steps."
    assert _steps(company) == [{"digits": "2", "wait_seconds": 5, "label": None},
                               {"digits": "1", "wait_seconds": 3, "label": None},
                               {"digits": "{ext}", "wait_seconds": 0, "label": None}]


def test_saving_keys_over_a_path_asks_first_then_replaces_it(logged_in, company):
    save_steps(company, PATH)
    refused = _from_keys(logged_in, company, KEYS)
    assert refused.status_code == 409 and "2 steps is saved already" in refused.get_json()[
        "message"]
    assert _steps(company) == PATH
    assert _from_keys(logged_in, company, KEYS, replace="1").status_code == 200
    assert len(steps_of(company)) == 3


@pytest.mark.parametrize(("keys", "field"), [
    ("", "keys"),
    ("not json", "keys"),
    ("[" * 14_000 + "]" * 14_000, "keys"),  # nested past the recursion limit
    ("x" * 40_000, "keys"),
    ('{"digits": "1"}', "keys"),
    ([{"digits": "1; DROP", "at_ms": 0}], "keys.0.digits"),
    ([{"digits": "1", "at_ms": -5}], "keys.0.at_ms"),
])
def test_malformed_keys_are_a_422_naming_the_field(logged_in, company, keys, field):
    response = _from_keys(logged_in, company, keys)
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert steps_of(company) == []


def test_saving_keys_needs_the_csrf_token_when_csrf_is_on(logged_in, app, company):
    app.config["WTF_CSRF_ENABLED"] = True
    assert _from_keys(logged_in, company, KEYS).status_code == 400
    assert steps_of(company) == []
    page = logged_in.get(f"/companies/{company.id}/phone-tree").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert _from_keys(logged_in, company, KEYS, csrf_token=token).status_code == 200
    assert len(steps_of(company)) == 3


# The dialer


def test_the_dialer_carries_the_path_on_the_main_line_only(app, company):
    save_steps(company, PATH)
    person = factories.PersonFactory(company=company, direct_phone="+12125550177",
                                     extension="44")
    with app.test_request_context():
        main = build_dialer(company, None, "(212) 555-0100")
        direct = build_dialer(company, person, person.direct_phone)
    assert main.on_main_line and [s.digits for s in main.phone_tree] == ["2", "{ext}"]
    assert not direct.on_main_line and direct.phone_tree == []


def test_without_twilio_the_call_form_still_shows_the_path_to_dial_by_hand(logged_in, company):
    save_steps(company, PATH)
    person = factories.PersonFactory(company=company, full_name="Bill L", extension="123")
    page = logged_in.get(f"/calls/new?person_id={person.id}&dial=1").get_data(as_text=True)
    assert "Calling from the browser is not set up" in page
    assert 'id="dial-tree"' in page and "Main menu: sales" in page and "ext. 123" in page
    assert "data-send-step" not in page and "dial-save-keys" not in page

"""Phone-tree paths: the service's rules, keys turned into steps, and the JSON API."""

import pytest
from sqlalchemy import func, select

from app.auth.service import issue_token
from app.companies.phone_tree import (
    MAX_STEPS,
    PathExistsError,
    key_parts,
    save_steps,
    step_dict,
    steps_from_keys,
    steps_of,
)
from app.errors import DomainError
from app.models import PhoneTreeStep
from app.validation import MAX_ID
from tests import factories
from tests.test_api import Api

PATH = [
    {"digits": "2", "wait_seconds": 3, "label": "Main menu: press 2 for sales"},
    {"digits": "", "wait_seconds": 0, "label": "Dial-by-name: first three letters of the surname"},
    {"digits": "ww{ext}#", "wait_seconds": 0, "label": None},
]


@pytest.fixture
def company(app):
    return factories.CompanyFactory(name="Initech", main_phone="+12125550100")


@pytest.fixture
def api(client, user):
    return Api(client, issue_token(user))


def _url(company_id) -> str:
    return f"/api/v1/companies/{company_id}/phone-tree"


def _put(api, company_id, body):
    return api.client.put(_url(company_id), json=body, headers=api.headers)


# The service


def test_save_steps_stores_the_path_in_order_and_steps_of_reads_it_back(company):
    saved = save_steps(company, PATH)
    assert [s.position for s in saved] == [0, 1, 2]
    assert [step_dict(s) for s in steps_of(company)] == PATH


def test_saving_again_replaces_the_whole_path_and_an_empty_list_clears_it(company, db):
    save_steps(company, PATH)
    save_steps(company, [{"digits": "9"}])
    assert [step_dict(s) for s in steps_of(company)] == [
        {"digits": "9", "wait_seconds": 0, "label": None}]
    save_steps(company, [])
    assert steps_of(company) == []
    assert db.session.scalar(select(func.count()).select_from(PhoneTreeStep)) == 0


def test_values_are_trimmed_and_a_wait_may_come_as_digits_in_text(company):
    saved = save_steps(company, [{"digits": " 1# ", "wait_seconds": " 12 ", "label": "  hi  "}])
    assert step_dict(saved[0]) == {"digits": "1#", "wait_seconds": 12, "label": "hi"}


@pytest.mark.parametrize(
    ("step", "path", "message"),
    [
        ({"digits": "9a"}, "steps.0.digits", "Use 0-9"),
        ({"digits": "W"}, "steps.0.digits", "Use 0-9"),  # the Voice SDK throws on W and ","
        ({"digits": "1,2"}, "steps.0.digits", "Use 0-9"),
        ({"digits": "2\n"}, "steps.0.label", None),  # trimmed: fine (checked below)
        ({"digits": "{ext"}, "steps.0.digits", "Use 0-9"),
        ({"digits": "1" * 33}, "steps.0.digits", "under 32"),
        ({"digits": "1" * 100_000}, "steps.0.digits", "under 32"),
        ({"digits": 12}, "steps.0.digits", "Must be text"),
        ({"digits": ["1"]}, "steps.0.digits", "Must be text"),
        ({"digits": "1", "wait_seconds": -1}, "steps.0.wait_seconds", "0 to 120"),
        ({"digits": "1", "wait_seconds": 121}, "steps.0.wait_seconds", "0 to 120"),
        ({"digits": "1", "wait_seconds": 2.5}, "steps.0.wait_seconds", "0 to 120"),
        ({"digits": "1", "wait_seconds": True}, "steps.0.wait_seconds", "0 to 120"),
        ({"digits": "1", "wait_seconds": "٣"}, "steps.0.wait_seconds", "0 to 120"),
        ({"digits": "1", "wait_seconds": 10**30}, "steps.0.wait_seconds", "0 to 120"),
        ({"digits": "1", "label": "x" * 201}, "steps.0.label", "under 200"),
        ({"digits": "1", "label": 5}, "steps.0.label", "Must be text"),
        ({"digits": "1", "colour": "red"}, "steps.0.colour", "Unknown field"),
        ({}, "steps.0.digits", "keys to send, a wait or a label"),
        ({"digits": " ", "label": " "}, "steps.0.digits", "keys to send, a wait or a label"),
    ],
)
def test_a_bad_step_field_is_refused_by_its_path(company, step, path, message):
    if message is None:
        assert step_dict(save_steps(company, [step])[0])["digits"] == "2"
        return
    with pytest.raises(DomainError) as refused:
        save_steps(company, [{"digits": "1"}, step])
    key = path.replace("steps.0", "steps.1")
    assert message in refused.value.fields[key], refused.value.fields


def test_every_problem_is_reported_at_once_and_nothing_is_saved(company):
    save_steps(company, PATH)
    bad = [{"digits": "x", "wait_seconds": 999, "label": "y" * 300}, "press 2", {"digits": "1"}]
    with pytest.raises(DomainError) as refused:
        save_steps(company, bad)
    assert set(refused.value.fields) == {"steps.0.digits", "steps.0.wait_seconds",
                                         "steps.0.label", "steps.1"}
    assert [step_dict(s) for s in steps_of(company)] == PATH  # the old path is untouched


@pytest.mark.parametrize(("steps", "message"), [
    ([{"digits": "1"}] * (MAX_STEPS + 1), "At most 20 steps"),
    ("2, then 3", "Must be a list"),
    ({"digits": "1"}, "Must be a list"),
    (None, "required"),
])
def test_the_list_itself_is_checked(company, steps, message):
    with pytest.raises(DomainError) as refused:
        save_steps(company, steps)
    assert message in refused.value.fields["steps"]


def test_twenty_steps_are_allowed(company):
    assert len(save_steps(company, [{"digits": str(i % 10)} for i in range(MAX_STEPS)])) == 20


def test_without_replace_an_existing_path_is_kept_and_named(company):
    save_steps(company, PATH)
    with pytest.raises(PathExistsError) as refused:
        save_steps(company, [{"digits": "5"}], replace=False)
    assert refused.value.status == 409 and "3 steps" in refused.value.fields["steps"]
    assert len(steps_of(company)) == 3
    other = factories.CompanyFactory(name="Empty line")
    assert len(save_steps(other, [{"digits": "5"}], replace=False)) == 1


def test_key_parts_read_pauses_and_the_extension_as_words():
    assert key_parts("2ww{ext}#", "123") == ["2", "pause 1 s", "ext. 123", "#"]
    assert key_parts("w{ext}") == ["pause 0.5 s", "the extension"]


# Keys sent during a call -> steps


def _keys(*pairs):
    return [{"digits": d, "at_ms": t} for d, t in pairs]


def test_keys_close_together_make_one_step_and_the_pause_becomes_its_wait():
    sent = _keys(("1", 2000), ("2", 2400), ("3", 3300), ("4", 7900), ("#", 8000), ("9", 20_000))
    assert steps_from_keys(sent) == [
        {"digits": "123", "wait_seconds": 5, "label": None},  # 3300 -> 7900: 4.6 s
        {"digits": "4#", "wait_seconds": 12, "label": None},
        {"digits": "9", "wait_seconds": 0, "label": None},
    ]


def test_keys_are_taken_in_time_order_and_a_gap_of_exactly_the_threshold_splits():
    sent = _keys(("2", 1500), ("1", 0))
    assert [s["digits"] for s in steps_from_keys(sent)] == ["1", "2"]
    assert steps_from_keys(_keys(("1", 0), ("2", 1499)))[0]["digits"] == "12"


def test_a_long_pause_is_capped_and_a_long_run_starts_a_new_step():
    assert steps_from_keys(_keys(("1", 0), ("2", 3_600_000)))[0]["wait_seconds"] == 120
    run = steps_from_keys(_keys(*((str(i % 10), i * 100) for i in range(40))))
    assert [len(s["digits"]) for s in run] == [32, 8]


def test_the_extension_placeholder_and_multi_key_sends_are_kept():
    sent = _keys(("2w1", 0), ("{ext}", 4000))
    assert [s["digits"] for s in steps_from_keys(sent)] == ["2w1", "{ext}"]
    assert steps_from_keys(sent)[0]["wait_seconds"] == 4


@pytest.mark.parametrize(("sent", "path"), [
    ([], "keys"),
    ("1,2,3", "keys"),
    ([{"digits": "1", "at_ms": 0}] * 501, "keys"),
    ([5], "keys.0"),
    (_keys(("a", 0)), "keys.0.digits"),
    (_keys(("", 0)), "keys.0.digits"),
    (_keys(("1" * 33, 0)), "keys.0.digits"),
    (_keys(("1\n", 0)), "keys.0.digits"),
    (_keys(("1", -1)), "keys.0.at_ms"),
    (_keys(("1", True)), "keys.0.at_ms"),
    (_keys(("1", "5")), "keys.0.at_ms"),
    (_keys(("1", 10**12)), "keys.0.at_ms"),
])
def test_malformed_keys_are_refused_by_path(sent, path):
    with pytest.raises(DomainError) as refused:
        steps_from_keys(sent)
    assert path in refused.value.fields


# The API


def test_get_gives_an_empty_path_then_the_saved_one(api, company):
    assert api.get(_url(company.id)).get_json() == {"steps": []}
    save_steps(company, PATH)
    assert api.get(_url(company.id)).get_json() == {"steps": PATH}


def test_put_replaces_the_path_and_answers_with_the_stored_steps(api, company):
    save_steps(company, PATH)
    response = _put(api, company.id, {"steps": [{"digits": "3", "label": " Support "}]})
    assert response.status_code == 200
    assert response.get_json() == {"steps": [{"digits": "3", "wait_seconds": 0,
                                              "label": "Support"}]}
    assert api.get(_url(company.id)).get_json() == response.get_json()


def test_put_may_send_back_what_get_returned(api, company):
    save_steps(company, PATH)
    body = api.get(_url(company.id)).get_json()
    assert _put(api, company.id, body).get_json() == body


@pytest.mark.parametrize(("body", "paths"), [
    ({"steps": [{"digits": "9a", "wait_seconds": 500, "label": 5, "extra": 1}]},
     {"steps.0.digits", "steps.0.wait_seconds", "steps.0.label", "steps.0.extra"}),
    ({"steps": [{"digits": "1", "wait_seconds": "5"}]}, {"steps.0.wait_seconds"}),
    ({"steps": [{"digits": "1"}] * 21}, {"steps"}),
    ({"steps": "2"}, {"steps"}),
    ({"steps": [1]}, {"steps.0"}),
    ({"steps": [{}]}, {"steps.0.digits"}),
    ({"steps": [{"digits": "1", "label": "x" * 10_000}]}, {"steps.0.label"}),
    ({}, {"steps"}),
    ({"steps": [], "company_id": 3}, {"company_id"}),
])
def test_put_refuses_bad_bodies_with_field_paths(api, company, body, paths):
    save_steps(company, PATH)
    response = _put(api, company.id, body)
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["fields"]) == paths
    assert len(steps_of(company)) == 3


def test_put_refuses_a_body_that_is_not_json(api, company):
    response = api.client.put(_url(company.id), data="steps=2", headers=api.headers)
    assert response.status_code == 415


@pytest.mark.parametrize("company_id", [999, MAX_ID + 1])
def test_an_unknown_company_is_a_404(api, app, company_id):
    assert api.get(_url(company_id)).status_code == 404
    assert _put(api, company_id, {"steps": []}).status_code == 404


@pytest.mark.parametrize("method", ["get", "put"])
def test_the_phone_tree_needs_a_token(client, company, method):
    response = getattr(client, method)(_url(company.id), json={"steps": []})
    assert response.status_code == 401
    assert steps_of(company) == []


def test_the_documented_step_fields_are_exactly_the_accepted_ones(app):
    from app.api import shapes
    from app.api.openapi import openapi_document

    schemas = openapi_document()["components"]["schemas"]
    assert set(schemas["PhoneTreeStepInput"]["properties"]) == shapes.PHONE_TREE_STEP.writable
    assert set(schemas["PhoneTreeStep"]["properties"]) == set(PATH[0])
    assert set(schemas["PhoneTreeUpdate"]["properties"]) == shapes.PHONE_TREE.writable

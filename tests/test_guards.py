"""Guards you can see (issue 11): markers for left, do-not-call and off limits wherever a person or
company is shown, and phone numbers that open the dialer, say why not, or fall back to tel:."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import Call, Outcome, PersonRole, PersonStatus, now_utc
from app.queue.service import add_to_queue
from tests import factories
from tests.telephony.conftest import TWILIO_CONFIG

TEL = re.compile(r'href="tel:')


@pytest.fixture
def world(user):
    """A callable company with a do-not-call person, one who left and one callable; an
    off-limits company with someone there; follow-ups on both for Today and the call list."""
    acme = factories.CompanyFactory(name="Acme Guarded", main_phone="+12125550100")
    banned = factories.CompanyFactory(name="Banned Guarded", main_phone="+12125550200",
                                      off_limits=True, off_limits_reason="client since 2024")
    dana = factories.PersonFactory(company=acme, full_name="Dana Guarded",
                                   status=PersonStatus.DO_NOT_CALL, direct_phone="+12125550111")
    lou = factories.PersonFactory(company=acme, full_name="Lou Guarded", left_at=now_utc(),
                                  direct_phone="+12125550112")
    cal = factories.PersonFactory(company=acme, full_name="Cal Guarded",
                                  direct_phone="+12125550113")
    olga = factories.PersonFactory(company=banned, full_name="Olga Guarded",
                                   direct_phone="+12125550211")
    due = now_utc() - timedelta(hours=1)
    factories.CallFactory(user=user, company=acme, person=dana, outcome=Outcome.CALL_BACK,
                          follow_up_at=due)
    factories.CallFactory(user=user, company=banned, person=None, outcome=Outcome.GATEKEEPER,
                          follow_up_at=due)
    return {"acme": acme, "banned": banned, "dana": dana, "lou": lou, "cal": cal, "olga": olga}


def markers(html: str) -> list[str]:
    """The guard markers' visible words, in page order (the symbol is aria-hidden)."""
    return [re.sub(r"<[^>]+>.*?</span>", "", m, count=1).strip() for m in
            re.findall(r'<span class="guard guard-[a-z-]+"[^>]*>(.*?</span>[^<]*)</span>', html)]


@pytest.mark.parametrize("url, expected", [
    ("/people/", {"Do not call", "Left", "Off limits"}),
    ("/companies/", {"Off limits"}),
    ("/search/?q=guarded", {"Do not call", "Left", "Off limits"}),
    ("/calls/", {"Do not call", "Off limits"}),
    ("/", {"Do not call", "Off limits"}),
])
def test_lists_search_and_today_mark_who_must_not_be_called(world, logged_in, url, expected):
    html = logged_in.get(url).get_data(as_text=True)
    assert set(markers(html)) == expected


def test_the_call_page_marks_its_target_and_company(world, logged_in, db):
    call = db.session.scalars(select(Call).where(Call.person_id == world["dana"].id)).one()
    html = logged_in.get(f"/calls/{call.id}").get_data(as_text=True)
    assert set(markers(html)) == {"Do not call"}
    banned = db.session.scalars(select(Call).where(Call.company_id == world["banned"].id)).one()
    assert markers(logged_in.get(f"/calls/{banned.id}").get_data(as_text=True)) == ["Off limits"]


def test_company_and_person_pages_carry_the_markers(world, logged_in):
    acme = logged_in.get(f"/companies/{world['acme'].id}").get_data(as_text=True)
    assert set(markers(acme)) == {"Do not call", "Left"}
    banned = logged_in.get(f"/companies/{world['banned'].id}").get_data(as_text=True)
    assert markers(banned)[0] == "Off limits" and 'title="client since 2024"' in banned
    for key, word in (("dana", "Do not call"), ("lou", "Left"), ("olga", "Off limits")):
        page = logged_in.get(f"/people/{world[key].id}").get_data(as_text=True)
        assert markers(page) == [word], key
    assert markers(logged_in.get(f"/people/{world['cal'].id}").get_data(as_text=True)) == []


def test_the_queue_card_number_goes_through_the_same_link(world, user, logged_in, app):
    # Guarded targets never reach the card (the queue refuses or skips them); a callable one's
    # number is a tel: link without Twilio and opens the dialer with it.
    add_to_queue(user, person=world["cal"])
    card = logged_in.post("/queue/next", follow_redirects=True).get_data(as_text=True)
    assert '<span class="dial-link"><a class="phone-link" href="tel:+12125550113"' in card
    app.config.update(TWILIO_CONFIG)
    card = logged_in.get("/queue").get_data(as_text=True)
    dialer = f'href="/calls/new?person_id={world["cal"].id}&amp;dial=1"'
    assert f'<span class="dial-link"><a class="phone-link" {dialer}' in card
    assert not TEL.search(card)


@pytest.mark.parametrize("twilio", [False, True], ids=["no-twilio", "twilio"])
def test_no_tel_link_and_a_reason_for_who_must_not_be_called(world, logged_in, app, twilio):
    if twilio:
        app.config.update(TWILIO_CONFIG)
    for key, reason in (("dana", "do not call"), ("lou", "left the company"),
                        ("olga", "company off limits: client since 2024")):
        page = logged_in.get(f"/people/{world[key].id}").get_data(as_text=True)
        assert not TEL.search(page), key
        assert "dial=1" not in page, key
        assert f"(not callable: {reason})" in page, key
    banned = logged_in.get(f"/companies/{world['banned'].id}").get_data(as_text=True)
    assert not TEL.search(banned) and "dial=1" not in banned
    assert "(212) 555-0200 <small class=\"guard-why\">(not callable: company off limits" in banned


def test_without_twilio_a_callable_number_is_a_plain_tel_link(world, logged_in):
    page = logged_in.get(f"/people/{world['cal'].id}").get_data(as_text=True)
    assert 'href="tel:+12125550113"' in page and "dial=1" not in page
    acme = logged_in.get(f"/companies/{world['acme'].id}").get_data(as_text=True)
    assert 'href="tel:+12125550100"' in acme and 'href="tel:+12125550113"' in acme
    assert 'href="tel:+12125550111"' not in acme and 'href="tel:+12125550112"' not in acme


def test_with_twilio_a_callable_number_opens_the_dialer(world, logged_in, app):
    app.config.update(TWILIO_CONFIG)
    cal = world["cal"]
    page = logged_in.get(f"/people/{cal.id}").get_data(as_text=True)
    assert not TEL.search(page)
    assert f'href="/calls/new?person_id={cal.id}&amp;dial=1"' in page
    acme = logged_in.get(f"/companies/{world['acme'].id}").get_data(as_text=True)
    assert not TEL.search(acme)
    assert f'href="/calls/new?company_id={world["acme"].id}&amp;dial=1"' in acme


def test_a_number_that_is_not_one_is_shown_with_the_reason(world, logged_in):
    odd = factories.PersonFactory(company=world["acme"], full_name="Odd Number",
                                  direct_phone="+1555")
    page = logged_in.get(f"/people/{odd.id}").get_data(as_text=True)
    assert "(not callable: not a usable number)" in page and not TEL.search(page)


def test_an_extension_only_person_dials_the_main_line_then_the_extension(world, logged_in):
    ext = factories.PersonFactory(company=world["acme"], full_name="Ext Only", extension="4471")
    page = logged_in.get(f"/people/{ext.id}").get_data(as_text=True)
    assert 'href="tel:+12125550100,4471"' in page and "ext. 4471" in page


@pytest.fixture
def box(world, user):
    """An empty box (VP Engineering) under the CEO, found on a call Melinda answered."""
    acme = world["acme"]
    ceo = factories.PersonFactory(company=acme, full_name="Carla Ceo", title="CEO")
    peer = factories.PersonFactory(company=acme, full_name="Pete Peer", department="Engineering")
    melinda = factories.PersonFactory(company=acme, full_name="Melinda Front",
                                      role=PersonRole.GATEKEEPER, title="Receptionist")
    found = factories.CallFactory(user=user, company=acme, answered_by=melinda,
                                  outcome=Outcome.GATEKEEPER)
    vp = factories.PersonFactory(company=acme, full_name=None, placeholder=True,
                                 title="VP Engineering", department="Engineering",
                                 reports_to=ceo, source_call=found)
    return {"box": vp, "ceo": ceo, "peer": peer, "melinda": melinda, "call": found}


def test_an_empty_box_page_is_about_finding_the_holder(box, logged_in, app):
    app.config.update(TWILIO_CONFIG)  # even with calling on: nothing to dial for the box itself
    page = logged_in.get(f"/people/{box['box'].id}").get_data(as_text=True)
    assert "Empty box: the position is known, the name is not." in page
    assert "Empty box" in markers(page)
    who = page[page.index('id="who-to-ask"'):page.index('id="fill"')]
    for lead, why in (("Carla Ceo", "manager of this position"),
                      ("Pete Peer", "works in Engineering"),
                      ("Melinda Front", "told us about this position")):
        assert lead in who and why in who
    assert f'action="/people/{box["box"].id}/fill"' in page
    assert 'id="box-queue"' in page and 'name="ask_for" value="VP Engineering"' in page
    assert f'href="/calls/new?company_id={box["box"].company_id}"' in page
    for contact in ('class="ladder"', 'id="left"', "Mark as left", 'id="log-touchpoint"',
                    "Direct dial", "Mobile", "mailto:", 'name="status"',
                    f"person_id={box['box'].id}&amp;dial=1", "Add to queue"):
        assert contact not in page, contact


def test_fill_this_box_names_it_and_keeps_its_line_and_history(box, logged_in, db):
    vp = box["box"]
    response = logged_in.post(f"/people/{vp.id}/fill", data={"full_name": "Vera Vance"})
    assert response.status_code == 303 and response.location.endswith(f"/people/{vp.id}")
    db.session.refresh(vp)
    assert (vp.full_name, vp.placeholder, vp.title) == ("Vera Vance", False, "VP Engineering")
    assert vp.reports_to_id == box["ceo"].id and vp.source_call_id == box["call"].id
    page = logged_in.get(response.location).get_data(as_text=True)
    assert "Filled the box: Vera Vance is the VP Engineering." in page
    assert 'class="ladder"' in page and 'id="fill"' not in page


def test_fill_this_box_needs_a_name_and_only_fills_boxes(box, world, logged_in, db):
    vp = box["box"]
    response = logged_in.post(f"/people/{vp.id}/fill", data={"full_name": "  "})
    assert response.status_code == 422
    assert "Type the name you were given." in response.get_data(as_text=True)
    taken = logged_in.post(f"/people/{vp.id}/fill", data={"full_name": "Cal Guarded"})
    assert taken.status_code == 422 and "already" in taken.get_data(as_text=True).lower()
    db.session.refresh(vp)
    assert vp.placeholder and vp.full_name is None
    named = logged_in.post(f"/people/{world['cal'].id}/fill", data={"full_name": "X"})
    assert named.status_code == 303
    db.session.refresh(world["cal"])
    assert world["cal"].full_name == "Cal Guarded"


def test_an_empty_box_has_nobody_to_email_web_or_api(box, logged_in, client, user):
    from app.auth.service import issue_token

    vp = box["box"]
    page = logged_in.post(f"/people/{vp.id}/touchpoints", data={"kind": "email"})
    assert page.status_code == 422
    response = client.post(f"/api/v1/people/{vp.id}/touchpoints", json={"kind": "email"},
                           headers={"Authorization": f"Bearer {issue_token(user)}"})
    assert response.status_code == 422
    assert "empty box" in response.get_json()["message"]


def test_without_twilio_the_dialer_says_what_to_do_and_shows_no_live_widgets(world, logged_in,
                                                                               client, admin):
    url = f"/calls/new?person_id={world['cal'].id}&dial=1"
    page = logged_in.get(url).get_data(as_text=True)
    assert "Calling from the browser is not set up" in page
    assert 'href="tel:+12125550113"' in page and "from your own phone" in page
    for widget in ('id="dial-state"', 'id="dial-timer"', ">Ready<", ">0:00<", 'id="keypad"'):
        assert widget not in page, widget
    assert "TWILIO_ACCOUNT_SID" not in page and "ask an admin" in page
    logged_in.post("/logout")
    client.post("/login", data={"email": "ada@example.com", "password": "correct-horse-battery"})
    as_admin = client.get(url).get_data(as_text=True)
    assert 'id="calling-setup"' in as_admin and "TWILIO_ACCOUNT_SID" in as_admin


def test_without_twilio_the_dialer_still_refuses_a_do_not_call_target(world, logged_in):
    page = logged_in.get(f"/calls/new?person_id={world['dana'].id}&dial=1").get_data(as_text=True)
    assert "asked not to be called" in page and not TEL.search(page)


def test_with_twilio_the_dialer_is_ready(world, logged_in, app):
    app.config.update(TWILIO_CONFIG)
    page = logged_in.get(f"/calls/new?person_id={world['cal'].id}&dial=1").get_data(as_text=True)
    assert 'id="dial-state"' in page and ">Ready<" in page
    assert "Calling from the browser is not set up" not in page


def test_the_call_button_macro_says_why_not_too(world, app, user):
    from flask import render_template_string

    template = ('{% from "_macros.html" import call_link %}'
                "{{ call_link(person=p) }}|{{ call_link(company=c) }}")
    with app.test_request_context():
        dana = render_template_string(template, p=world["dana"], c=world["banned"])
        cal = render_template_string(template, p=world["cal"], c=world["acme"])
    assert dana.count("not callable") == 2 and "☎ Call" not in dana
    assert cal.count("☎ Call") == 2


def test_today_offers_no_call_now_for_someone_who_must_not_be_called(world, logged_in):
    html = logged_in.get("/").get_data(as_text=True)
    follow_ups = html[html.index('id="fu-title"'):html.index('id="recent-title"')]
    assert follow_ups.count(">Log a call</a>") == 2 and "Call now" not in follow_ups


def test_the_org_chart_marks_an_off_limits_company_and_draws_do_not_call_as_elsewhere(
        world, logged_in):
    banned = logged_in.get(f"/companies/{world['banned'].id}/org-chart").get_data(as_text=True)
    assert markers(banned) == ["Off limits"]
    acme = logged_in.get(f"/companies/{world['acme'].id}/org-chart").get_data(as_text=True)
    assert markers(acme) == []  # the boxes carry their own status badges
    # One symbol per guard across the app: the chart's do-not-call badge is the marker's ✕.
    assert "✕" in acme and "⊘" not in acme


def test_an_empty_box_edit_form_asks_no_status_and_keeps_it(box, logged_in, db):
    vp = box["box"]
    page = logged_in.get(f"/people/{vp.id}/edit").get_data(as_text=True)
    assert '<select id="status"' not in page and 'type="hidden" name="status"' in page
    saved = logged_in.post(f"/people/{vp.id}/edit", data={
        "placeholder": "y", "title": "VP Platform Engineering", "department": "Engineering",
        "reports_to": str(box["ceo"].id), "role": vp.role.value,
        "status": re.search(r'type="hidden" name="status" value="([^"]+)"', page)[1]})
    assert saved.status_code in (302, 303), saved.get_data(as_text=True)[:2000]
    db.session.refresh(vp)
    assert (vp.title, vp.placeholder, vp.status) == ("VP Platform Engineering", True,
                                                     PersonStatus.UNCOVERED)


def test_the_call_forms_pickers_say_who_must_not_be_called(world, logged_in):
    page = logged_in.get(f"/calls/new?company_id={world['acme'].id}").get_data(as_text=True)
    start = page.index('id="person_id"')
    picker = page[start:page.index("</select>", start)]
    assert "Dana Guarded (Engineer) · do not call</option>" in picker
    assert "Lou Guarded (Engineer) · left</option>" in picker
    assert "Cal Guarded (Engineer)</option>" in picker


def test_the_org_chart_offers_a_call_only_where_phone_link_would(world, logged_in, app):
    app.config.update(TWILIO_CONFIG)
    banned = logged_in.get(f"/companies/{world['banned'].id}/org-chart").get_data(as_text=True)
    assert "Olga Guarded" in banned and 'class="call-link"' not in banned  # off limits
    acme = logged_in.get(f"/companies/{world['acme'].id}/org-chart").get_data(as_text=True)
    calls = re.findall(r'class="call-link" href="([^"]+)"', acme)
    assert calls == [f"/calls/new?person_id={world['cal'].id}&dial=1"]  # not Dana (DNC)

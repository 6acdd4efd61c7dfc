"""Org-chart gaps: empty boxes and thin departments, each naming who to call and what to ask."""

from sqlalchemy import event, insert

from app.extensions import db as _db
from app.models import Outcome, Person, PersonRole, PersonStatus, now_utc
from app.models.person import person_name_key
from app.queue.gaps import find_gaps
from tests import factories


def person(company, name, title, boss=None, **kw):
    """A named person at the company with a direct dial unless told otherwise."""
    kw.setdefault("direct_phone", "+12125550111")
    return factories.PersonFactory(company=company, full_name=name, title=title,
                                   reports_to=boss, **kw)


def box(company, title, boss=None, **kw):
    return factories.PersonFactory(company=company, full_name=None, placeholder=True,
                                   title=title, reports_to=boss, **kw)


def chart(company):
    """CEO > Dana (CTO) > [VP Engineering box > (Ava the assistant, Sam), Pat (peer)]."""
    ceo = person(company, "Robin Chief", "CEO", department="Executive")
    dana = person(company, "Dana Ortiz", "CTO", ceo, department="Engineering")
    vp = box(company, "VP Engineering", dana, department="Engineering")
    ava = person(company, "Ava Gold", "Receptionist", vp, role=PersonRole.GATEKEEPER,
                 direct_phone=None, extension="12", department="Engineering")
    sam = person(company, "Sam Lee", "Engineer", vp, department="Engineering")
    pat = person(company, "Pat Kim", "VP Product", dana, department="Engineering")
    return {"ceo": ceo, "dana": dana, "vp": vp, "ava": ava, "sam": sam, "pat": pat}


def box_gaps(company):
    return [g for g in find_gaps(company) if g.kind == "box"]


def test_assistant_then_report_then_peer_then_manager_then_main_line(app):
    company = factories.CompanyFactory()
    p = chart(company)
    steps = [("ava", lambda: setattr(p["ava"], "status", PersonStatus.DO_NOT_CALL)),
             ("sam", lambda: setattr(p["sam"], "left_at", now_utc())),
             ("pat", lambda: setattr(p["pat"], "direct_phone", None)),
             ("dana", lambda: setattr(p["dana"], "status", PersonStatus.DO_NOT_CALL))]
    for expected, remove in steps:
        (gap,) = box_gaps(company)
        assert gap.person is p[expected] and gap.box is p["vp"], expected
        assert gap.ask_for == "the VP Engineering's name"
        remove()
        _db.session.commit()
    (gap,) = box_gaps(company)
    assert gap.person is None
    assert gap.ask_for == "the VP Engineering"
    assert "switchboard" in gap.next_step


def test_gap_says_why_and_what_to_say_in_a_sentence(app):
    company = factories.CompanyFactory()
    p = chart(company)
    p["ava"].role, p["ava"].title = PersonRole.OTHER, "Engineer"
    _db.session.commit()
    (gap,) = box_gaps(company)
    assert gap.person is p["sam"]  # both are reports now: a direct line beats an extension
    assert gap.why == ("Empty box: VP Engineering (under Dana Ortiz, CTO). "
                       "Sam Lee reports to that box.")
    assert gap.next_step == "Ask Sam who they report to now"


def test_assistant_recognised_by_title(app):
    company = factories.CompanyFactory()
    p = chart(company)
    ea = person(company, "Zed Young", "EA to the VP", p["vp"])
    p["ava"].role = PersonRole.OTHER
    _db.session.commit()
    (gap,) = box_gaps(company)
    assert gap.person is ea and "assists" in gap.why
    assert gap.next_step == "Ask Zed the name of the VP Engineering they support"


def test_do_not_call_left_and_unreachable_people_are_never_suggested(app):
    company = factories.CompanyFactory()
    boss = person(company, "Boss Nocall", "CTO", status=PersonStatus.DO_NOT_CALL)
    vp = box(company, "VP Data", boss)
    person(company, "Gone Person", "Engineer", vp, left_at=now_utc())
    person(company, "No Number", "Engineer", vp, direct_phone=None)
    person(company, "Nope Nocall", "Analyst", boss, status=PersonStatus.DO_NOT_CALL)
    (gap,) = box_gaps(company)
    assert gap.person is None and gap.ask_for == "the VP Data"
    assert all(g.person is None or g.person.status != PersonStatus.DO_NOT_CALL
               for g in find_gaps(company))


def test_extension_counts_only_with_a_main_line(app):
    company = factories.CompanyFactory(main_phone=None)
    boss = person(company, "Boss Person", "CTO", direct_phone=None, extension="100")
    box(company, "VP Data", boss)
    assert find_gaps(company) == []  # nobody to call and no main line to ask through
    company.main_phone = "+12125550100"
    _db.session.commit()
    (gap,) = box_gaps(company)
    assert gap.person is not None and gap.person.id == boss.id


def test_off_limits_company_has_no_gaps(app):
    company = factories.CompanyFactory(off_limits=True)
    chart(company)
    assert find_gaps(company) == []


def test_boxes_higher_in_the_chart_come_first_then_departments(app):
    company = factories.CompanyFactory()
    p = chart(company)
    deep = box(company, "Director of Security", p["vp"])
    top = box(company, "CFO", p["ceo"], department="Finance")
    person(company, "Fay Money", "Controller", top, department="finance")
    gaps = find_gaps(company)
    assert [g.box.id for g in gaps if g.kind == "box"] == [top.id, p["vp"].id, deep.id]
    assert [g.kind for g in gaps][-1] == "department"
    assert [g.department for g in gaps if g.kind == "department"] == ["Executive"]


def test_thin_department_asks_its_one_person_for_the_team(app):
    company = factories.CompanyFactory()
    ceo = person(company, "Robin Chief", "CEO", department="Executive")
    sales = person(company, "Sal Seller", "VP Sales", ceo, department="Sales")
    person(company, "Mo Market", "CMO", ceo, department="Marketing")
    person(company, "Mia Market", "Marketer", ceo, department=" marketing ")
    person(company, "Greta Desk", "Receptionist", department="Front Desk",
           role=PersonRole.GATEKEEPER)
    gaps = {g.department: g for g in find_gaps(company) if g.kind == "department"}
    assert set(gaps) == {"Executive", "Sales"}  # marketing has two, the front desk is no target
    assert gaps["Sales"].person.id == sales.id
    assert gaps["Sales"].ask_for == "who else is on the Sales team"
    assert gaps["Sales"].next_step == "Ask Sal who else is on the Sales team"
    sales.status = PersonStatus.DO_NOT_CALL
    _db.session.commit()
    gaps = {g.department: g for g in find_gaps(company) if g.kind == "department"}
    assert gaps["Sales"].person is None and gaps["Sales"].ask_for == "the Sales team"
    assert "They asked not to be called: ask the switchboard." in gaps["Sales"].why


def test_company_with_nobody_named_asks_the_switchboard_for_its_leaders(app):
    company = factories.CompanyFactory(name="Quiet Co")
    box(company, "CTO")
    gaps = find_gaps(company)
    assert [g.kind for g in gaps] == ["box", "company"]
    assert gaps[1].person is None and gaps[1].why == "Nobody at Quiet Co is named yet."
    assert gaps[0].ask_for == "the CTO" and gaps[0].why.startswith("Empty box: CTO (top of")


def test_box_under_a_manager_who_left_hangs_under_the_next_one_up(app):
    company = factories.CompanyFactory()
    ceo = person(company, "Robin Chief", "CEO")
    gone = person(company, "Gone Boss", "CTO", ceo, left_at=now_utc())
    vp = box(company, "VP Engineering", gone)
    (gap,) = box_gaps(company)
    assert gap.box.id == vp.id and gap.person.id == ceo.id
    assert gap.why.endswith("Robin Chief manages that box.")
    assert "(under Robin Chief, CEO)" in gap.why


def test_a_reporting_loop_does_not_hang_the_search(app):
    company = factories.CompanyFactory()
    a = person(company, "Ann Loop", "Director")
    b = person(company, "Ben Loop", "Director", a)
    a.reports_to = b
    vp = box(company, "VP Loop", a)
    _db.session.commit()
    (gap,) = box_gaps(company)
    assert gap.box.id == vp.id and gap.person is not None


def test_twelve_thousand_people_take_three_queries(app):
    company = factories.CompanyFactory()
    ceo = person(company, "Robin Chief", "CEO")
    rows, now = [], now_utc()
    for i in range(12_000):
        name = None if i % 500 == 0 else f"Staff Member {i}"
        rows.append(dict(company_id=company.id, full_name=name, name_key=person_name_key(name),
                         placeholder=name is None, title=f"Engineer {i % 40}",
                         department=f"Dept {i % 30}", reports_to_id=ceo.id,
                         direct_phone="+12125550123", role=PersonRole.OTHER,
                         status=PersonStatus.UNCOVERED, created_at=now, updated_at=now,
                         namesake=False))
    _db.session.execute(insert(Person), rows)
    _db.session.commit()
    assert company.id  # loaded before counting: the caller holds a loaded company
    statements: list[str] = []

    def record(*args):
        statements.append(args[2])

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        gaps = find_gaps(company)
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)
    assert len([g for g in gaps if g.kind == "box"]) == 24
    assert all(g.person is not None for g in gaps)
    # The people as plain values, their numbers against the call log, the suggested rows.
    assert len(statements) == 3, statements


def test_an_assistant_among_peers_is_asked_before_a_director(app):
    company = factories.CompanyFactory()
    cto = person(company, "Dana Ortiz", "CTO")
    box(company, "Director of Security", cto)
    person(company, "Aaron Patel", "Director of Platform", cto)
    ruth = person(company, "Ruth Adeyemi", "Engineering Operations Coordinator", cto,
                  direct_phone=None, extension="4402")
    (gap,) = box_gaps(company)
    assert gap.person.id == ruth.id
    assert gap.why.endswith("Ruth Adeyemi sits beside it, under the same manager.")


def test_a_suggestion_whose_numbers_proved_dead_gives_way_to_the_next(app):
    company = factories.CompanyFactory()
    p = chart(company)
    p["ava"].role, p["ava"].title = PersonRole.OTHER, "Engineer"
    p["ava"].extension = None
    _db.session.commit()
    assert box_gaps(company)[0].person is p["sam"]
    factories.CallFactory(company=company, person=p["sam"], to_number=p["sam"].direct_phone,
                          outcome=Outcome.BAD_NUMBER)
    p["pat"].direct_phone = "+12125550177"
    _db.session.commit()
    # Sam's and Dana's lines are the same dead number here: Pat, the peer, is next.
    (gap,) = box_gaps(company)
    assert gap.person is p["pat"]


def test_a_dead_main_line_asks_nobody_through_it(app):
    company = factories.CompanyFactory()
    box(company, "CTO")
    factories.CallFactory(company=company, to_number=company.main_phone,
                          outcome=Outcome.WRONG_NUMBER)
    assert find_gaps(company) == []

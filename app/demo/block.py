"""The calling block's demo: Morgan's own calls, gatekeepers who put calls through, phone-tree
paths, the team's past blocks, and a queue for each recruiter built by the queue's service.

Companies run from Sydney to Denver, so at any hour some main lines are inside calling hours and
some are not. Calls use the same shorthand as script.py.
"""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from app.demo.data import P
from app.demo.script import B, C, U
from app.extensions import db
from app.models import Call, CallingSession, Company, PhoneTreeStep, User
from app.queue.build import build_queue

# fmt: off
BLOCK_CALLS = [
    C("w1", "admin", "wattle", 9, "10:00", "gatekeeper", 200,
      "Kylie at reception (8:30-5 Sydney). Gave the CTO and his EA; robotics software has a new "
      "head she would not name.",
      gatekeeper=P("Kylie Dawson", "Receptionist", "Front Desk", ext="0", role="gatekeeper"),
      names=[P("Hamish Reid", "Chief Technology Officer", "Engineering", "Matilda Brooks",
               ext="210"),
             P("Sienna Park", "Executive Assistant to the CTO", "Engineering", "Hamish Reid",
               ext="211", role="gatekeeper")],
      boxes=[B("Head of Robotics Software", "Engineering", "Hamish Reid",
               "Kylie: a new head of robotics software started last month; no name.")],
      follow=(-2, "18:00", "Sydney morning: ask Sienna for 15 minutes with Hamish")),
    C("w2", "admin", "wattle", 6, "11:15", "referral", 420,
      "Kylie put me through to Sienna. Robotics software is Liam (controls) and Ava (motion "
      "planning), both under the new head.",
      target="Sienna Park", answered="Kylie Dawson",
      names=[P("Liam O'Connor", "Senior Controls Engineer", "Engineering",
               "Head of Robotics Software", dial="44"),
             P("Ava Nguyen", "Robotics Software Engineer", "Engineering",
               "Head of Robotics Software")]),
    C("w3", "admin", "wattle", 3, "09:30", "gatekeeper", 90,
      "Kylie again: Hamish is travelling until Thursday.", target="Hamish Reid",
      answered="Kylie Dawson", follow=(0, "17:30", "Hamish back: ask Sienna for a slot")),
    C("l1", "admin", "larkspur", 8, "09:10", "gatekeeper", 160,
      "Rosa at the front desk transfers to any extension. Gave the engineering leads and the "
      "head of product.",
      gatekeeper=P("Rosa Delgado", "Front Desk Coordinator", "Front Desk", ext="0",
                   role="gatekeeper"),
      names=[P("Ethan Cole", "VP Engineering", "Engineering", "Owen Gallagher", ext="120"),
             P("Maya Singh", "Director of E-commerce Engineering", "Engineering", "Ethan Cole",
               ext="131"),
             P("Grace Kim", "Head of Product", "Product", "Owen Gallagher", ext="150")]),
    C("l2", "admin", "larkspur", 5, "13:40", "connected", 540,
      "Rosa put me through to Maya. Two senior frontend roles (Next.js, payments). Named her "
      "tech lead and strongest frontend engineer.",
      target="Maya Singh", answered="Rosa Delgado",
      names=[U("Maya Singh", role="hiring_manager"),
             P("Noah Fischer", "Tech Lead, Checkout", "Engineering", "Maya Singh", ext="142"),
             P("Zoe Alvarez", "Senior Frontend Engineer", "Engineering", "Maya Singh")],
      follow=(-1, "15:00", "Maya: send the frontend short list, confirm the pay range")),
    C("l3", "admin", "larkspur", 2, "10:05", "voicemail", 50,
      "Rosa put me through to Ethan's voicemail. Message 1 of 2.",
      target="Ethan Cole", answered="Rosa Delgado",
      follow=(0, "12:00", "Ethan: second message, then ask Rosa when he is in")),
    C("k16", "sam", "kestrel", 1, "09:20", "connected", 480,
      "Melinda put me through to Tom Brennan on x4431. Routing is hiring a staff engineer; Tom "
      "is open to passing names on.",
      target="Tom Brennan", answered="Melinda Ortiz",
      names=[U("Tom Brennan", extension="4431")]),
    C("k17", "jo", "kestrel", 4, "14:30", "gatekeeper", 60,
      "Melinda: Marcus in meetings all afternoon; took a message.",
      target="Marcus Bell", answered="Melinda Ortiz"),
    C("b10", "sam", "brightwater", 1, "11:00", "referral", 300,
      "Carla transferred me to Tara (x244). Tara gave Nina Castillo's extension: Nina knows "
      "who the new head of data science is.",
      target="Tara Whitman", answered="Carla Jimenez",
      names=[U("Tara Whitman", extension="244"), U("Nina Castillo", extension="262")]),
    C("h8", "jo", "harbor", 1, "09:15", "connected", 420,
      "Denise put me through to Paul. Still one integration engineer short; wants Samira's "
      "references by Friday.",
      target="Paul Okonkwo", answered="Denise Walsh"),
]

# Menus on the main lines: keys to send, seconds to wait, what to do by hand.
PHONE_TREES = {
    "brightwater": [("9", 2, "Main menu: 9 for the dial-by-name directory"),
                    ("", 0, "Dial-by-name: key the first three letters of the surname, then #")],
    "kestrel": [("2", 3, "Main menu: 2 for the staff directory"),
                ("", 0, "Key the extension (Dana Whitfield is 4410)")],
    "wattle": [("3", 2, "Main menu: 3 for the staff directory"),
               ("", 0, "Key the extension, or 0 for Kylie at reception")],
}

# Whose queue aims at which companies' gaps (everyone also gets their due follow-ups).
GAP_QUEUES = {
    "admin": ["wattle", "larkspur", "kestrel", "brightwater", "harbor", "fenwick"],
    "sam": ["kestrel", "brightwater"],
    "jo": ["harbor", "fenwick"],
}
# fmt: on


def seed_phone_trees(companies: dict[str, Company]) -> None:
    """The saved path through each menu above."""
    for key, steps in PHONE_TREES.items():
        db.session.add_all(
            PhoneTreeStep(company_id=companies[key].id, position=i, digits=digits,
                          wait_seconds=wait, label=label)
            for i, (digits, wait, label) in enumerate(steps))
    db.session.commit()


def seed_past_blocks() -> None:
    """Each recruiter's calls of a day as one finished calling block, for the metrics page."""
    days: dict[tuple[int, object], list[Call]] = defaultdict(list)
    for call in db.session.scalars(select(Call).order_by(Call.started_at)):
        days[call.user_id, call.started_at.date()].append(call)
    for (user_id, _), calls in sorted(days.items(), key=lambda kv: kv[1][0].started_at):
        last = calls[-1]
        end = last.started_at + timedelta(seconds=(last.duration_seconds or 0) + 120)
        db.session.add(CallingSession(user_id=user_id,
                                      started_at=calls[0].started_at - timedelta(minutes=3),
                                      last_activity_at=end, ended_at=end))
    db.session.commit()


def seed_queues(users: dict[str, User], companies: dict[str, Company]) -> None:
    """Due follow-ups and org-chart gaps in each recruiter's queue, through the queue service."""
    for key, gap_companies in GAP_QUEUES.items():
        build_queue(users[key], "follow_ups")
        for company in gap_companies:
            build_queue(users[key], "gaps", company_id=companies[company].id)

"""The demo team, target companies and the names already on the call sheet before dialling.

All phone numbers are in ranges set aside for fiction (US 555-01xx, UK 020 7946 0xxx, Australia
02 5550 xxxx) and all domains end in .example, so no demo row can reach a real person.
"""

PASSWORD = "switchboard-demo"
ADMIN_EMAIL = "admin@switchboard.test"

# key, email, name, admin, time zone, own phone
USERS = [
    ("admin", ADMIN_EMAIL, "Morgan Reyes", True, "America/New_York", "+1 212 555 0199"),
    ("sam", "sam@switchboard.test", "Sam Okafor", False, "America/Chicago", "+1 773 555 0148"),
    ("jo", "jo@switchboard.test", "Jo Lindqvist", False, "America/New_York", "+1 646 555 0123"),
]

# fmt: off
# Direct dials are built from a company's prefix plus the digits given for each person.
COMPANIES = {
    "kestrel": dict(
        name="Kestrel Freight Systems", domain="kestrelfreight.example",
        main_phone="+1 312 555 0100", dial_prefix="+1 312 555 01", country="US",
        location="Chicago, IL", timezone="America/Chicago",
        industry="Logistics software", email_pattern="{first}.{last}@kestrelfreight.example",
        notes="Routing and carrier-integration platform, ~1,200 staff. Engineering on floor 9.",
    ),
    "brightwater": dict(
        name="Brightwater Analytics", domain="brightwater.example",
        main_phone="+1 512 555 0100", dial_prefix="+1 512 555 01", country="US",
        location="Austin, TX", timezone="America/Chicago",
        industry="Data and analytics SaaS", email_pattern="{f}{last}@brightwater.example",
        notes="Series C. Phone menu: 1 sales, 2 support, 9 dial-by-name directory.",
    ),
    "harbor": dict(
        name="Harbor & Pine Health", domain="harborpine.example",
        main_phone="+1 617 555 0100", dial_prefix="+1 617 555 01", country="US",
        location="Boston, MA", timezone="America/New_York",
        industry="Healthcare IT", email_pattern="{first}_{last}@harborpine.example",
        notes="Hospital network IT. Operator desk staffed 8am-4pm only.",
    ),
    "fenwick": dict(
        name="Fenwick Lane Payments", domain="fenwicklane.example",
        main_phone="+44 20 7946 0100", dial_prefix="+44 20 7946 01", country="GB",
        location="London, United Kingdom", timezone="Europe/London",
        industry="Payments / fintech", email_pattern="{first}.{last}@fenwicklane.example",
        notes="Card issuing and open-banking APIs. Call 9-11am London (4-6am Eastern).",
    ),
    "wattle": dict(
        name="Wattle & Finch Robotics", domain="wattlefinch.example",
        main_phone="+61 2 5550 0100", dial_prefix="+61 2 5550 01", country="AU",
        location="Sydney, NSW, Australia", timezone="Australia/Sydney",
        industry="Warehouse robotics", email_pattern="{first}.{last}@wattlefinch.example",
        notes="Reception 8:30am-5pm Sydney time (evening on the US east coast). Menu: 3 for the "
              "staff directory.",
    ),
    "larkspur": dict(
        name="Larkspur Outdoor Co.", domain="larkspur.example",
        main_phone="+1 303 555 0100", dial_prefix="+1 303 555 01", country="US",
        location="Denver, CO", timezone="America/Denver",
        industry="Outdoor retail e-commerce", email_pattern="{f}{last}@larkspur.example",
        notes="Front desk transfers to any extension; e-commerce engineering on site.",
    ),
    "cobalt": dict(
        name="Cobalt Peak Software", domain="cobaltpeak.example",
        main_phone="+1 206 555 0100", dial_prefix="+1 206 555 01", country="US",
        location="Seattle, WA", timezone="America/Los_Angeles",
        industry="Developer tools", email_pattern="{first}@cobaltpeak.example",
        off_limits=True,
        off_limits_reason="Client since 2024 (signed MSA): we never source from Cobalt Peak.",
    ),
}


def P(name, title=None, dept=None, boss=None, *, ext=None, dial=None, role="other", status=None,
      notes=None, email=True):
    """One person as the demo writes them down: boss is a name, dial the digits after the prefix."""
    return dict(full_name=name, title=title, department=dept, boss=boss, extension=ext, dial=dial,
                role=role, status=status, notes=notes, email=email)


# Names on the call sheet before the first dial (company websites, press releases, the client).
KNOWN = {
    "kestrel": [P("Robert Kessler", "Chief Executive Officer", "Executive", status="verified",
                  notes="Named on the website and in the 2025 funding press release.")],
    "brightwater": [P("Elaine Park", "CEO & Co-founder", "Executive", status="verified")],
    "harbor": [P("Margaret Doyle", "President & CEO", "Executive", status="verified")],
    "fenwick": [P("Oliver Hughes", "Chief Executive", "Executive", status="verified")],
    "wattle": [P("Matilda Brooks", "Managing Director", "Executive", status="verified")],
    "larkspur": [P("Owen Gallagher", "Chief Executive Officer", "Executive", status="verified")],
    "cobalt": [
        P("Janet Morrow", "Head of Talent", "People", dial="12", status="do_not_call",
          notes="Our client contact. Cobalt Peak is off limits: never a sourcing target."),
        P("Chris Delgado", "VP Engineering", "Engineering", role="hiring_manager",
          status="do_not_call", notes="Hiring manager on our open search for Cobalt Peak."),
    ],
}
# fmt: on

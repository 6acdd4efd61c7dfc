"""Three weeks of sourcing calls, oldest first: who dialled whom, what happened, what was learned.

Each call is logged through the real call service, so names found on a call point back at it.
`days` counts back from today (Saturdays move to Friday, Sundays to Monday); `at` is the company's
local time. `follow` is (days from today, "HH:MM" in the caller's zone, note): negative is
overdue, 0 is due today. `after` names the earlier call whose follow-up this call carried out.
`boxes` are positions the call revealed without a name (empty boxes on the org chart); a `boss`
may name one by its title. `left` lists people the call learned had left the company.
"""

from app.demo.data import P


# fmt: off
def U(name, **fields):
    """A row updating someone already on file with what this call added."""
    return dict(full_name=name, existing=True, **fields)


def B(title, dept, boss, notes=None):
    """An empty box: a position the call revealed whose holder is still unknown."""
    return dict(title=title, department=dept, boss=boss, notes=notes)


def C(key, who, company, days, at, outcome, seconds, notes, *, target=None, answered=None,
      gatekeeper=None, names=(), to=None, follow=None, after=None, boxes=(), left=()):
    return dict(key=key, who=who, company=company, days=days, at=at, outcome=outcome,
                seconds=seconds, notes=notes, target=target, answered=answered,
                gatekeeper=gatekeeper, names=list(names), to=to, follow=follow, after=after,
                boxes=list(boxes), left=list(left))


CALLS = [
    C("k1", "sam", "kestrel", 20, "09:05", "gatekeeper", 240,
      "Front desk: Melinda, friendly, on until 2pm. Won't give exec extensions but confirmed "
      "Dana Whitfield runs engineering and Marcus Bell product. Talent is Ian McAllister.",
      gatekeeper=P("Melinda Ortiz", "Receptionist", "Front Desk", ext="0", role="gatekeeper"),
      names=[P("Dana Whitfield", "VP Engineering", "Engineering", "Robert Kessler"),
             P("Marcus Bell", "VP Product", "Product", "Robert Kessler"),
             P("Ian McAllister", "Director of Talent Acquisition", "People", "Robert Kessler",
               status="verified")],
      boxes=[B("VP Sales", "Sales", "Robert Kessler",
               "Melinda: sales has its own VP under the CEO; she would not give the name.")],
      follow=(-19, "10:00", "Try Dana through the dial-by-name directory")),
    C("k2", "sam", "kestrel", 19, "10:30", "voicemail", 75,
      "Directory: Whitfield is x4410. Greeting: 'Dana Whitfield, engineering leadership'. "
      "Left message 1 of 2: name, number, one line on the role.",
      target="Dana Whitfield", after="k1",
      names=[U("Dana Whitfield", extension="4410", status="verified")],
      follow=(-16, "09:30", "No call back yet: go through the CEO's office")),
    C("k3", "sam", "kestrel", 18, "14:15", "referral", 420,
      "Melinda put me through to engineering ops. Ruth laid out the platform org: two "
      "directors under Dana, Tom Brennan runs routing.",
      gatekeeper=P("Ruth Adeyemi", "Engineering Operations Coordinator", "Engineering",
                   "Dana Whitfield", ext="4402", role="gatekeeper"),
      names=[P("Aaron Patel", "Director of Platform Engineering", "Engineering",
               "Dana Whitfield", dial="31"),
             P("Grace Liu", "Director of Data Engineering", "Engineering", "Dana Whitfield",
               ext="4472"),
             P("Tom Brennan", "Engineering Manager, Routing", "Engineering", "Aaron Patel")],
      boxes=[B("Director of Security Engineering", "Engineering", "Dana Whitfield",
               "Ruth: security engineering is a third director under Dana; name not given.")]),
    C("k4", "sam", "kestrel", 16, "09:40", "gatekeeper", 180,
      "Patrice keeps the CEO's and Dana's calendars. Dana is heads-down on a re-org; suggested "
      "email. Confirmed the first.last@ pattern.",
      target="Dana Whitfield", after="k2",
      gatekeeper=P("Patrice Nguyen", "Executive Assistant to the CEO", "Executive",
                   "Robert Kessler", ext="4001", role="gatekeeper")),
    C("k5", "sam", "kestrel", 15, "11:20", "busy", 10, "Busy signal twice, five minutes apart.",
      target="Aaron Patel"),
    C("k6", "sam", "kestrel", 14, "08:50", "connected", 660,
      "Aaron picked up his direct line. Hiring two senior backend engineers for routing. "
      "Teams: Tom Brennan (routing), Sofia Marquez (carrier integrations). Named Priya and Kevin "
      "as the people others go to on Tom's team.",
      target="Aaron Patel",
      names=[U("Aaron Patel", role="hiring_manager"),
             P("Sofia Marquez", "Engineering Manager, Carrier Integrations", "Engineering",
               "Aaron Patel"),
             P("Priya Raman", "Staff Software Engineer", "Engineering", "Tom Brennan", dial="58"),
             P("Kevin Osei", "Senior Software Engineer", "Engineering", "Tom Brennan")],
      follow=(-11, "17:00", "Call Priya after 5pm, her direct line")),
    C("k7", "sam", "kestrel", 13, "13:00", "wrong_number", 30,
      "Tom's number from an old conference list reaches a dental office. Not saved.",
      target="Tom Brennan", to="+1 312 555 0187"),
    C("k8", "sam", "kestrel", 12, "16:10", "no_answer", 45,
      "Grace's extension rang out; no voicemail set up.", target="Grace Liu"),
    C("k9", "sam", "kestrel", 11, "17:30", "connected", 900,
      "Priya: happy at Kestrel but would look at staff roles with more architecture scope. "
      "Wants the write-up by email. Mentioned Jake, a new grad on Sofia's team.",
      target="Priya Raman", after="k6",
      names=[U("Priya Raman", role="candidate", status="candidate"),
             P("Jake Moreno", "Software Engineer II", "Engineering", "Sofia Marquez")],
      follow=(3, "17:30", "Priya has read the write-up: book a call with the hiring manager")),
    C("k10", "sam", "kestrel", 10, "12:05", "gatekeeper", 300,
      "Ruth again (remembered me). Data engineering is Grace's team: Hannah and Derek. She "
      "has Kevin Osei on Sofia's carrier team since the re-org; Aaron had put him under Tom.",
      answered="Ruth Adeyemi",
      names=[P("Hannah Cole", "Senior Data Engineer", "Engineering", "Grace Liu", dial="63"),
             P("Derek Shaw", "Data Engineer", "Engineering", "Grace Liu", dial="64"),
             U("Kevin Osei", boss="Sofia Marquez")]),
    C("k11", "jo", "kestrel", 8, "10:15", "call_back", 150,
      "Patrice: Marcus is in board prep all week, call back Monday morning. She named his "
      "PM lead and the CFO who signs off headcount.",
      target="Marcus Bell", answered="Patrice Nguyen",
      names=[P("Nora Blake", "Senior Product Manager", "Product", "Marcus Bell"),
             P("Lena Fischer", "Chief Financial Officer", "Finance", "Robert Kessler")],
      follow=(0, "10:00", "Marcus Bell back from board prep: ask Patrice for 15 minutes")),
    C("k12", "sam", "kestrel", 6, "10:45", "not_interested", 200,
      "Hannah was just promoted; not looking for a year. Polite; happy to hear in 2027.",
      target="Hannah Cole", names=[U("Hannah Cole", status="not_interested")]),
    C("k13", "sam", "kestrel", 5, "11:30", "not_interested", 60,
      "Derek asked not to be called at work again. Marked do-not-call.",
      target="Derek Shaw", names=[U("Derek Shaw", status="do_not_call")]),
    C("k14", "sam", "kestrel", 3, "09:15", "voicemail", 70,
      "Left message 2 of 2 for Dana. Round two starts next week, through Patrice.",
      target="Dana Whitfield", follow=(-1, "09:00", "Round two: email Dana, then call Patrice")),
    C("k15", "sam", "kestrel", 2, "10:20", "gatekeeper", 150,
      "Asked Ruth for Grace again: Grace Liu left Kestrel at the end of last month. Hannah and "
      "Derek sit under Dana until a new director of data engineering is hired.",
      target="Grace Liu", answered="Ruth Adeyemi", left=["Grace Liu"]),
    C("b1", "jo", "brightwater", 19, "10:00", "gatekeeper", 270,
      "Carla runs the front desk and the office. Gave the exec team; engineering reports to the "
      "CTO.",
      gatekeeper=P("Carla Jimenez", "Office Manager", "Operations", "Elaine Park",
                   role="gatekeeper"),
      names=[P("Victor Hale", "CTO & Co-founder", "Engineering", "Elaine Park"),
             P("Omar Haddad", "VP Engineering", "Engineering", "Victor Hale"),
             P("Rachel Stein", "VP Sales", "Sales", "Elaine Park")]),
    C("b2", "jo", "brightwater", 17, "11:30", "bad_number", 15,
      "Omar's direct dial from an old export: 'number no longer in service'.",
      target="Omar Haddad", to="+1 512 555 0163"),
    C("b3", "jo", "brightwater", 16, "14:00", "gatekeeper", 330,
      "Beth (EA to Victor): Omar has two managers, Greg (ingestion) and Mia (dashboards). "
      "Lucy runs applied ML under Victor. Omar is on x210.",
      gatekeeper=P("Beth Sandoval", "Executive Assistant to the CTO", "Engineering",
                   "Victor Hale", role="gatekeeper"),
      names=[U("Omar Haddad", extension="210", notes="Old direct dial (512) 555-0163 is dead."),
             P("Greg Dunn", "Engineering Manager, Ingestion", "Engineering", "Omar Haddad"),
             P("Mia Kowalski", "Engineering Manager, Dashboards", "Engineering", "Omar Haddad",
               ext="236"),
             P("Lucy Tran", "Director of Applied ML", "Engineering", "Victor Hale", ext="240")],
      boxes=[B("Head of Data Science", "Data Science", "Victor Hale",
               "Beth: data science has its own head under Victor, hired this spring; no name.")],
      follow=(-13, "09:00", "Omar on x210, first thing")),
    C("b4", "jo", "brightwater", 13, "09:20", "connected", 780,
      "Omar: building a streaming ingestion team, three hires, Kafka and Flink. Wants a short "
      "list before his offsite ends.",
      target="Omar Haddad", after="b3", names=[U("Omar Haddad", role="hiring_manager")],
      follow=(5, "11:00", "Omar back from offsite: walk him through the short list")),
    C("b5", "sam", "brightwater", 9, "16:45", "referral", 240,
      "Mia: no frontend reqs this quarter; the open reqs sit with Lucy's ML team. Ben leads "
      "the dashboards rewrite (for later).",
      target="Mia Kowalski",
      names=[P("Ben Ashford", "Senior Frontend Engineer", "Engineering", "Mia Kowalski")]),
    C("b6", "sam", "brightwater", 7, "10:10", "voicemail", 60,
      "Greeting: 'Lucy Tran, Applied ML'. Left message 1 of 2.",
      target="Lucy Tran", follow=(0, "15:00", "Second message for Lucy, then try via Beth")),
    C("b7", "jo", "brightwater", 4, "13:30", "gatekeeper", 200,
      "Carla, then the dial-by-name directory: Sean on Greg's team, Tara on Lucy's.",
      answered="Carla Jimenez",
      names=[P("Sean O'Rourke", "Senior Backend Engineer", "Engineering", "Greg Dunn",
               ext="251"),
             P("Tara Whitman", "Machine Learning Engineer", "Engineering", "Lucy Tran")]),
    C("b9", "jo", "brightwater", 3, "11:15", "gatekeeper", 210,
      "Carla: Rachel Stein left for a competitor last Friday; sales reports to Elaine for now. "
      "Nina Castillo is a senior data scientist under the new Head of Data Science (Carla "
      "would not name the head either).",
      answered="Carla Jimenez", left=["Rachel Stein"],
      names=[P("Nina Castillo", "Senior Data Scientist", "Data Science",
               "Head of Data Science")]),
    C("b8", "jo", "brightwater", 2, "16:20", "connected", 1020,
      "Sean built their Kafka pipeline. Open to a move for the right scope; salary "
      "expectations noted privately. Sending Omar's role.",
      target="Sean O'Rourke", names=[U("Sean O'Rourke", role="candidate", status="candidate")],
      follow=(2, "16:00", "Sean: confirm interest after he reads the role")),
    C("h1", "jo", "harbor", 18, "09:30", "gatekeeper", 150,
      "Denise on the operator desk (8-4). Would only transfer to the CIO's office.",
      gatekeeper=P("Denise Walsh", "Operator", "Front Desk", role="gatekeeper"),
      names=[P("Anthony Russo", "Chief Information Officer", "IT", "Margaret Doyle")]),
    C("h2", "jo", "harbor", 17, "09:45", "gatekeeper", 260,
      "Linda in the CIO's office: clinical systems is Paul's group. Paul prefers calls before 11.",
      gatekeeper=P("Linda Chau", "Executive Assistant to the CIO", "IT", "Anthony Russo",
                   ext="3001", role="gatekeeper"),
      names=[P("Paul Okonkwo", "Director of Clinical Systems", "IT", "Anthony Russo",
               dial="22")],
      boxes=[B("Director of IT Infrastructure", "IT", "Anthony Russo",
               "Linda: infrastructure is the other director under Anthony; name not given.")],
      follow=(-12, "10:00", "Paul before 11am")),
    C("h3", "jo", "harbor", 12, "10:15", "connected", 840,
      "Paul needs an HL7/FHIR integration engineer for the EHR migration. Emily Hart manages "
      "the integration team.",
      target="Paul Okonkwo", after="h2",
      names=[U("Paul Okonkwo", role="hiring_manager"),
             P("Emily Hart", "Manager, EHR Integration", "IT", "Paul Okonkwo", ext="3140")]),
    C("h4", "jo", "harbor", 10, "15:20", "call_back", 90,
      "Emily is mid go-live; asked for a call after it settles.",
      target="Emily Hart", follow=(-2, "10:30", "Call Emily back after the Epic go-live")),
    C("h5", "jo", "harbor", 6, "11:00", "referral", 360,
      "Paul pointed me at two people on Emily's team who know every integration engineer in "
      "Boston.",
      target="Paul Okonkwo",
      names=[P("Ryan Fitzgerald", "Integration Engineer", "IT", "Emily Hart"),
             P("Samira Aziz", "Senior Integration Analyst", "IT", "Emily Hart", dial="47")]),
    C("h6", "jo", "harbor", 3, "17:10", "connected", 720,
      "Samira: interested herself. Five years of HL7 v2 and FHIR, wants remote-first.",
      target="Samira Aziz", names=[U("Samira Aziz", role="candidate", status="candidate")],
      follow=(4, "17:00", "Samira: references and a call with Paul")),
    C("h7", "jo", "harbor", 2, "12:00", "not_interested", 120,
      "Ryan is relocating to Denver with his current employer; not looking.",
      target="Ryan Fitzgerald", names=[U("Ryan Fitzgerald", status="not_interested")]),
    C("f1", "jo", "fenwick", 16, "09:30", "gatekeeper", 180,
      "Gemma at reception. Confirmed Charlotte Evans is CTO; wouldn't put me through.",
      gatekeeper=P("Gemma Price", "Receptionist", "Front Desk", role="gatekeeper"),
      names=[P("Charlotte Evans", "Chief Technology Officer", "Technology", "Oliver Hughes")]),
    C("f2", "jo", "fenwick", 11, "10:00", "gatekeeper", 300,
      "Imogen (EA to the CTO): payments engineering is Rhys; card issuing is Amelia under him.",
      gatekeeper=P("Imogen Shah", "Executive Assistant to the CTO", "Technology",
                   "Charlotte Evans", role="gatekeeper"),
      names=[P("Rhys Morgan", "Head of Payments Engineering", "Technology", "Charlotte Evans",
               dial="71"),
             P("Amelia Clarke", "Engineering Lead, Card Issuing", "Technology", "Rhys Morgan")],
      boxes=[B("Head of Fraud & Risk Engineering", "Technology", "Charlotte Evans",
               "Imogen: fraud and risk is a separate team under Charlotte; new head, no name.")]),
    C("f3", "jo", "fenwick", 9, "09:50", "voicemail", 65, "Left message 1 of 2 for Rhys.",
      target="Rhys Morgan", follow=(-4, "05:00", "Rhys again, 10am London")),
    C("f4", "jo", "fenwick", 4, "10:05", "connected", 600,
      "Rhys: hiring a senior engineer for card issuing; Amelia's team. Daniel is their "
      "strongest senior, useful as a benchmark.",
      target="Rhys Morgan", after="f3",
      names=[U("Rhys Morgan", role="hiring_manager"),
             P("Daniel Osborne", "Senior Software Engineer", "Technology", "Amelia Clarke")],
      follow=(1, "05:30", "Send Rhys two profiles before his 10am stand-up")),
]
# fmt: on

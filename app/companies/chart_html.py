"""The org chart's boxes as HTML, assembled in Python.

A 5,000-person chart rendered box by box through a recursive Jinja macro spent ~500 ms on
macro calls, attribute lookups, url_for and escaping. Here URLs come from one pattern per
endpoint, constant fragments are prebuilt, and only user-typed text goes through `escape`: the
same markup for a fraction of the time. The page around it stays a Jinja template.

The chart is the nested list itself, drawn top-down by org_chart.css (each subtree a flex column
as wide as its reports: the browser does the tidy-tree layout, so no layout library, no script
needed to see it, and print falls back to an indented outline). Only the first levels come with
the page (BOX_BUDGET boxes); deeper branches are fetched on demand as fragments of the same markup.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import url_for
from markupsafe import Markup, escape

from app.companies.orgchart import Node, OrgChart, add_details
from app.models import PersonStatus
from app.telephony.phone_links import guard_reason
from app.timezones import to_local, zone

_SENTINEL = 987654321
# A symbol and a word for every status: colour alone tells nothing to one in twelve men.
STATUS_MARKS = {
    PersonStatus.UNCOVERED: "○", PersonStatus.VERIFIED: "◑", PersonStatus.CONTACTED: "✓",
    PersonStatus.CANDIDATE: "★", PersonStatus.NOT_INTERESTED: "–", PersonStatus.DO_NOT_CALL: "✕",
}
LEFT_MARK = "⇥"
_STATUS_BADGES = {
    status: Markup(f'<span class="badge status-{status.value}"><span aria-hidden="true">'
                   f"{STATUS_MARKS[status]}</span> {status.label}</span>")
    for status in PersonStatus
}
_PLACEHOLDER_BADGE = Markup('<span class="badge pending"><span aria-hidden="true">?</span> '
                            "to find</span>")
_DIAL_ICON = Markup('<span title="Direct dial on file" aria-label="direct dial on file">☎</span>')
_EMAIL_ICON = Markup('<span title="Email on file" aria-label="email on file">✉</span>')
OPEN_DEPTH = 2  # levels shown open; deeper subtrees start collapsed
# Boxes that come with the page, whole levels at a time; deeper branches load when opened.
# ~300 boxes keep a 5,000 (or 12,000) person chart's first screen small and fast.
BOX_BUDGET = 300
LANE_BUDGET = 150  # the same for the "manager not known yet" lane and "could not place"
# Boxes shown per department of people with no manager known; the rest behind a link (the same
# page with that department whole): 300 of them were a third of a 12,000-person chart's page.
GROUP_SHOWN = 12
BRANCH_BUDGET = 200  # boxes one branch opened on demand brings (its first level always comes)


def _pattern(endpoint: str, **values) -> str:
    """A URL with `{id}` where the person's id goes, built once instead of once per box."""
    return url_for(endpoint, **values).replace(str(_SENTINEL), "{id}")


def levels_within(nodes: list[Node], budget: int, first_always: bool = True) -> set[int]:
    """Ids of the boxes whose reports come along: whole levels, top down, while within budget.

    With `first_always`, the first level below `nodes` always comes, so opening a branch always
    shows something; the lanes go without it (dozens of roots there can have hundreds of reports).
    """
    loaded: set[int] = set()
    level, count = list(nodes), len(nodes)
    while level:
        below = [child for node in level for child in node.reports]
        if not below or ((loaded or not first_always) and count + len(below) > budget):
            break
        loaded.update(node.person.id for node in level if node.reports)
        count += len(below)
        level = below
    return loaded


class ChartRenderer:
    def __init__(self, chart: OrgChart, timezone: str | None, printing: bool, calling: bool,
                 focus: int | None = None, whole_group: str | None = None):
        self.chart, self.printing, self.calling = chart, printing, calling
        self.whole_group = whole_group
        self.tz = zone(timezone)
        company_id = chart.company.id
        self.person_url = _pattern("people.detail", person_id=_SENTINEL)
        self.edit_url = _pattern("people.edit", person_id=_SENTINEL)
        self.add_url = _pattern("people.create", company_id=company_id, reports_to=_SENTINEL)
        self.call_url = _pattern("calls.create", person_id=_SENTINEL, dial=1)
        self.log_url = _pattern("calls.create", person_id=_SENTINEL)
        self.show_url = _pattern("companies.org_chart", company_id=company_id,
                                 focus=_SENTINEL) + "#person-{id}"
        self.group_url = _pattern("companies.org_chart", company_id=company_id,
                                  group=_SENTINEL).replace("{id}", "{dept}") + "#lane-title"
        self.can_dial_extensions = bool(chart.company.main_phone)
        self.draggable = "" if printing else ' draggable="true"'
        # The way to the person asked for (or the one added or changed last) is always open:
        # a name just logged must never hide in a collapsed branch.
        self.focus = focus if focus in chart.nodes else chart.most_recent()
        self.path = set(chart.path_to(self.focus)) if self.focus else set()
        lanes = chart.unknown_manager + chart.cannot_place
        self.loaded = (levels_within(chart.top, BOX_BUDGET)
                       | levels_within(lanes, LANE_BUDGET, first_always=False)
                       | self.path)
        self.open_depth = OPEN_DEPTH
        unplaced = [node for dept, group in chart.unplaced.items()
                    for node in self.group_shown(dept, group)]
        self._add_details(chart.top + chart.unknown_manager + chart.cannot_place + unplaced)

    def group_shown(self, dept: str, nodes: list[Node]) -> list[Node]:
        """The first GROUP_SHOWN of a department's unplaced people (and the one asked for)."""
        if self.printing or dept == self.whole_group or len(nodes) <= GROUP_SHOWN:
            return nodes
        return [n for i, n in enumerate(nodes) if i < GROUP_SHOWN or n.person.id == self.focus]

    def group(self, dept: str, nodes: list[Node]) -> Markup:
        """One department's unplaced people, the rest behind a link that works without script."""
        shown = self.group_shown(dept, nodes)
        html = self.tree(shown, "tree flat")
        if len(shown) < len(nodes):
            href = escape(self.group_url.format(dept=quote(dept)))
            html += Markup(f'<p class="group-more"><a href="{href}">Show all {len(nodes)} in '
                           f"{escape(dept)}</a></p>")
        return html

    def branch(self, node: Node) -> Markup:
        """The reports of one box, for the script to put in place when it is opened."""
        self.loaded = levels_within(node.reports, BRANCH_BUDGET) | {node.person.id} | self.path
        self.open_depth = node.depth + 1  # one level open per click; the next one is preloaded
        self._add_details(node.reports)
        return self.tree(node.reports, "")

    def _add_details(self, nodes: list[Node]) -> None:
        """Last calls and disagreements, for the boxes this response draws (if not there yet)."""
        if self.chart.detailed or self.printing:
            return
        shown, stack = [], list(nodes)
        while stack:
            node = stack.pop()
            shown.append(node.person.id)
            if node.person.id in self.loaded:
                stack.extend(node.reports)
        add_details(self.chart, shown)

    def tree(self, nodes: list[Node], css: str = "tree") -> Markup:
        """A <ul> of these nodes and the loaded levels below them, without recursion."""
        parts: list[str] = [f'<ul class="{css}">' if css else "<ul>"]
        stack: list[tuple[Node, bool]] = [(node, False) for node in reversed(nodes)]
        while stack:
            node, closing = stack.pop()
            if closing:
                parts.append("</ul></details></li>")
                continue
            parts.append(self._open(node))
            if not node.reports:
                parts.append("</li>")
            elif self.printing or node.person.id in self.loaded:
                parts.append("<ul>")
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.reports))
            else:
                parts.append(self._more(node))
        parts.append("</ul>")
        return Markup("".join(parts))

    def _more(self, node: Node) -> str:
        """A branch not sent with the page: the script fetches it, the link works without."""
        pid = node.person.id
        return (f'<p class="branch-more" data-branch="{pid}"><a href="'
                f'{self.show_url.format(id=pid)}">Show the {node.below} below</a></p>'
                "</details></li>")

    def _open(self, node: Node) -> str:
        p = node.person
        name = escape(p.display_name)
        css = "node st-" + p.status.value + (
            " placeholder" if p.placeholder else "" if node.contacted else " uncontacted")
        if p.id == self.focus:
            css += " recent"
        out = [f'<li id="person-{p.id}" class="{css}" data-id="{p.id}" data-name="{name}" '
               f'data-dept="{escape(p.department or "")}" data-status="{p.status.value}" '
               f'data-depth="{node.depth}">']
        out.append(f'<div class="box"{self.draggable}><a class="box-name" '
                   f'href="{self.person_url.format(id=p.id)}">{name}</a>')
        if p.full_name and p.title:
            out.append(f'<span class="box-title">{escape(p.title)}</span>')
        out.append('<span class="box-meta">')
        out.append(_PLACEHOLDER_BADGE if p.placeholder else _STATUS_BADGES[p.status])
        if p.department:
            out.append(f'<span class="muted">{escape(p.department)}</span>')
        if p.direct_phone:
            out.append(_DIAL_ICON)
        elif p.extension:
            out.append(f'<span title="Extension {escape(p.extension)}">ext</span>')
        if p.email:
            out.append(_EMAIL_ICON)
        if node.reports:
            out.append(f'<span class="muted" title="People in this part of the chart">'
                       f"{node.below} below</span>")
        out.append("</span>")
        out.append(self._last_call(node))
        if node.problem:
            out.append(f'<span class="box-conflict box-unplaced">{escape(node.note)}</span>')
        for conflict in node.other_managers:
            when = f" (call of {self._day(conflict.call_at)})" if conflict.call_at else ""
            out.append(f'<span class="box-conflict" title="A different manager was reported">'
                       f"Also reported under {escape(conflict.manager_name)}{when}</span>")
        if not self.printing:
            out.append(self._actions(node, name))
        out.append("</div>")
        if node.reports:
            opened = self.printing or p.id in self.path or (
                p.id in self.loaded and node.depth < self.open_depth)
            count = len(node.reports)
            out.append(f'<details class="branch"{" open" if opened else ""}><summary>'
                       f'<span class="twisty" aria-hidden="true"></span>{count} '
                       f'{"report" if count == 1 else "reports"}</summary>')
        return "".join(out)

    def _day(self, value) -> str:
        return to_local(value, self.tz.key).strftime("%d %b")  # never raises on odd old rows

    def _last_call(self, node: Node) -> str:
        if node.last_call is None:
            return '<span class="box-last">Never called</span>'
        at, outcome = node.last_call
        label = f" · {outcome.label}" if outcome else ""
        return f'<span class="box-last">Last called {self._day(at)}{label}</span>'

    def _actions(self, node: Node, name: str) -> str:
        """Plain links (the no-script way, and what the script's one menu per box lists)."""
        p = node.person
        out = ['<span class="box-links">']
        dialable = p.direct_phone or (p.extension and self.can_dial_extensions)
        # The one rule for who must not be called (phone_link's): do not call, an empty box, an
        # off-limits company (people who left are not on the live chart).
        if self.calling and dialable and guard_reason(p, self.chart.company) is None:
            out.append(f'<a class="call-link" href="{self.call_url.format(id=p.id)}">☎ Call</a>')
        out.append(f'<a class="chart-action" data-action="move" '
                   f'href="{self.edit_url.format(id=p.id)}">Move</a>'
                   f'<a class="chart-action" data-action="add" '
                   f'href="{escape(self.add_url.format(id=p.id))}">+ Report</a>')
        if p.placeholder:  # an empty box is about finding someone, not contacting them
            out.append(f'<a href="{self.edit_url.format(id=p.id)}">Fill this box</a>')
        else:
            out.append(f'<a class="chart-action" data-action="left" '
                       f'href="{self.person_url.format(id=p.id)}#left">Mark as left</a>'
                       f'<a href="{escape(self.log_url.format(id=p.id))}">Log a call</a>')
        out.append(f'<a href="{self.person_url.format(id=p.id)}">Open</a></span>')
        # Shown once the script runs (org_chart.css): it turns the links above into this menu.
        out.append(f'<button type="button" class="box-menu-button" aria-haspopup="menu" '
                   f'aria-expanded="false" aria-label="Actions for {name}">⋯</button>')
        return "".join(out)

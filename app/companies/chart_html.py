"""The org chart's boxes as HTML, assembled in Python.

A 5,000-person chart rendered box by box through a recursive Jinja macro spent ~500 ms on
macro calls, attribute lookups, url_for and escaping. Here URLs come from one pattern per
endpoint, constant fragments are prebuilt, and only user-typed text goes through `escape`: the
same markup for a fraction of the time. The page around it stays a Jinja template.
"""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape

from app.companies.orgchart import Node, OrgChart
from app.models import PersonStatus
from app.timezones import to_local, zone

_SENTINEL = 987654321
_STATUS_BADGES = {
    status: Markup(f'<span class="badge status-{status.value}">{status.label}</span>')
    for status in PersonStatus
}
_PLACEHOLDER_BADGE = Markup('<span class="badge pending">to find</span>')
_DIAL_ICON = Markup('<span title="Direct dial on file" aria-label="direct dial on file">☎</span>')
_EMAIL_ICON = Markup('<span title="Email on file" aria-label="email on file">✉</span>')
OPEN_DEPTH = 2  # levels shown open; deeper subtrees start collapsed


def _pattern(endpoint: str, **values) -> str:
    """A URL with `{id}` where the person's id goes, built once instead of once per box."""
    return url_for(endpoint, **values).replace(str(_SENTINEL), "{id}")


class ChartRenderer:
    def __init__(self, chart: OrgChart, timezone: str | None, printing: bool, calling: bool):
        self.chart, self.printing, self.calling = chart, printing, calling
        self.tz = zone(timezone)
        company_id = chart.company.id
        self.person_url = _pattern("people.detail", person_id=_SENTINEL)
        self.edit_url = _pattern("people.edit", person_id=_SENTINEL)
        self.add_url = _pattern("people.create", company_id=company_id, reports_to=_SENTINEL)
        self.call_url = _pattern("calls.create", person_id=_SENTINEL, dial=1)
        self.can_dial_extensions = bool(chart.company.main_phone)
        self.draggable = "" if printing else ' draggable="true"'

    def tree(self, nodes: list[Node], css: str = "tree") -> Markup:
        """A <ul> of these nodes and everything below them, without recursion."""
        parts: list[str] = [f'<ul class="{css}">']
        stack: list[tuple[Node, bool]] = [(node, False) for node in reversed(nodes)]
        while stack:
            node, closing = stack.pop()
            if closing:
                parts.append("</ul></details></li>")
                continue
            parts.append(self._open(node))
            if node.reports:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.reports))
            else:
                parts.append("</li>")
        parts.append("</ul>")
        return Markup("".join(parts))

    def _open(self, node: Node) -> str:
        p = node.person
        name = escape(p.display_name)
        css = "node" + (" placeholder" if p.placeholder else "" if node.contacted else
                        " uncontacted")
        out = [f'<li id="person-{p.id}" class="{css}" data-id="{p.id}" data-name="{name}" '
               f'data-dept="{escape(p.department or "")}" data-status="{p.status.value}" '
               f'data-depth="{node.depth}">']
        if node.reports:
            opened = " open" if node.depth < OPEN_DEPTH or self.printing else ""
            out.append(f"<details{opened}><summary>")
        out.append(f'<div class="box"{self.draggable} tabindex="-1"><a class="box-name" '
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
            out.append(self._actions(node))
        out.append("</div>")
        if node.reports:
            out.append("</summary><ul>")
        return "".join(out)

    def _day(self, value) -> str:
        return to_local(value, self.tz.key).strftime("%d %b")  # never raises on odd old rows

    def _last_call(self, node: Node) -> str:
        if node.last_call is None:
            return '<span class="box-last">Never called</span>'
        at, outcome = node.last_call
        label = f" · {outcome.label}" if outcome else ""
        return f'<span class="box-last">Last called {self._day(at)}{label}</span>'

    def _actions(self, node: Node) -> str:
        p = node.person
        out = ['<span class="box-actions">']
        dialable = p.direct_phone or (p.extension and self.can_dial_extensions)
        if self.calling and not p.placeholder and p.status != PersonStatus.DO_NOT_CALL and (
            dialable
        ):
            out.append(f'<a class="call-link" href="{self.call_url.format(id=p.id)}">☎ Call</a>')
        out.append(f'<a class="chart-action" data-action="move" '
                   f'href="{self.edit_url.format(id=p.id)}">Move</a>'
                   f'<a class="chart-action" data-action="add" '
                   f'href="{escape(self.add_url.format(id=p.id))}">+ Report</a>'
                   f'<a class="chart-action" data-action="left" '
                   f'href="{self.person_url.format(id=p.id)}#left">Left</a></span>')
        return "".join(out)

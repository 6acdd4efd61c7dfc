"""Org chart exports: CSV rows and the nested JSON tree."""

import csv
import io
import json
from collections.abc import Iterator

from app.companies.orgchart import Node, OrgChart, chart_nodes
from app.exports.cells import safe_cell

CSV_COLUMNS = ["id", "full_name", "title", "department", "status", "placeholder", "manager_id",
               "manager_name", "direct_phone", "extension", "email", "depth", "chart_note"]


def org_chart_to_csv(chart: OrgChart) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    # The manager on the live chart: when someone's manager has left, the nearest one still there.
    chart_manager = {}
    for node in chart_nodes(chart):
        person, manager = node.person, chart_manager.get(node.person.id)
        chart_manager.update((child.person.id, person) for child in node.reports)
        writer.writerow([safe_cell(v) for v in (
            person.id, person.full_name, person.title, person.department, person.status.value,
            "yes" if person.placeholder else "no", manager.id if manager else "",
            manager.display_name if manager else "", person.direct_phone, person.extension,
            person.email, node.depth, node.note)])
    return out.getvalue()


def node_to_json(node: Node) -> dict:
    # Iterative build of the nested dicts, so deep charts cannot exhaust the recursion limit.
    def shell(n: Node) -> dict:
        p = n.person
        return {"id": p.id, "full_name": p.full_name, "title": p.title,
                "department": p.department, "status": p.status.value,
                "placeholder": p.placeholder, "reports": []} | (
                    {"unplaced_reason": n.problem} if n.problem else {})

    root = shell(node)
    stack = [(node, root)]
    while stack:
        current, out = stack.pop()
        for child in current.reports:
            child_out = shell(child)
            out["reports"].append(child_out)
            stack.append((child, child_out))
    return root


def org_chart_to_json(chart: OrgChart) -> list[dict]:
    """Roots are everyone without a (live) manager, managers first, as the API contract says.

    People the chart could not place come last, each with an `unplaced_reason`.
    """
    return [node_to_json(n) for n in org_chart_roots(chart)]


def org_chart_roots(chart: OrgChart) -> list[Node]:
    """The API's roots in order: managers first, then the people not yet placed, then the people
    the chart could not place."""
    unplaced = [n for group in chart.unplaced.values() for n in group]
    return chart.roots + unplaced + chart.cannot_place


# Bytes gathered before a piece of the streamed tree is handed to the server: one write per box
# would be thousands of tiny writes; the whole tree at once is what streaming avoids.
STREAM_CHUNK = 64 * 1024


def _opened_box(node: Node) -> str:
    """A box's JSON up to its opened `reports` list: the same fields as node_to_json."""
    p = node.person
    fields = {"id": p.id, "full_name": p.full_name, "title": p.title,
              "department": p.department, "status": p.status.value,
              "placeholder": p.placeholder} | (
                  {"unplaced_reason": node.problem} if node.problem else {})
    return json.dumps(fields)[:-1] + ', "reports": ['


def _tree_pieces(chart: OrgChart) -> Iterator[str]:
    """The roots' nested JSON, a box at a time, depth first and without recursion."""
    pending: list[Node | str] = []
    for i, root in enumerate(reversed(org_chart_roots(chart))):
        if i:
            pending.append(",")
        pending.append(root)
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
            continue
        yield _opened_box(item)
        pending.append("]}")
        for i, child in enumerate(reversed(item.reports)):
            if i:
                pending.append(",")
            pending.append(child)


def stream_org_chart_json(head: dict, chart: OrgChart) -> Iterator[str]:
    """`{**head, "roots": [...]}` as text in chunks of about STREAM_CHUNK characters, so a
    12,000-person chart is never held as one dict and one string (the tree is built already:
    nothing here touches the database, and nothing can fail once the first chunk is sent)."""
    buffer = [json.dumps(head)[:-1] + (", " if head else "") + '"roots": [']
    size = len(buffer[0])
    for piece in _tree_pieces(chart):
        buffer.append(piece)
        size += len(piece)
        if size >= STREAM_CHUNK:
            yield "".join(buffer)
            buffer, size = [], 0
    buffer.append("]}")
    yield "".join(buffer)

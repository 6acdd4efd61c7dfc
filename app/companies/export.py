"""Org chart exports: CSV rows and the nested JSON tree."""

import csv
import io

from app.companies.orgchart import Node, OrgChart, chart_nodes

CSV_COLUMNS = ["id", "full_name", "title", "department", "status", "placeholder", "manager_id",
               "manager_name", "direct_phone", "extension", "email", "depth", "chart_note"]


def _safe_cell(value) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheets: neutralise it.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def org_chart_to_csv(chart: OrgChart) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    # The manager on the live chart: when someone's manager has left, the nearest one still there.
    chart_manager = {}
    for node in chart_nodes(chart):
        person, manager = node.person, chart_manager.get(node.person.id)
        chart_manager.update((child.person.id, person) for child in node.reports)
        writer.writerow([_safe_cell(v) for v in (
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
    unplaced = [n for group in chart.unplaced.values() for n in group]
    return [node_to_json(n) for n in chart.roots + unplaced + chart.cannot_place]

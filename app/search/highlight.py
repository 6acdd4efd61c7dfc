"""Ranking a page of results and marking the words that matched."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from app.search.query import Node, Term, positive_terms

# How much a match in each field counts towards a result's rank.
WEIGHTS = {
    "person": {"full_name": 4, "title": 3, "department": 1, "notes": 1},
    "company": {"name": 4, "domain": 2, "industry": 1, "notes": 1},
    "call": {"notes": 2, "follow_up_note": 1},
}


def _pattern(term: Term) -> re.Pattern:
    body = re.escape(term.text).replace(r"\ ", r"\s+")
    return re.compile(r"\b" + body + (r"\w*" if term.prefix else r"\b"), re.IGNORECASE)


def rank(kind: str, rows: list, tree: Node) -> list:
    """Best matches first; ties keep their order (most recent first)."""
    patterns = [(t.field, _pattern(t)) for t in positive_terms(tree) if _is_text(t)]
    weights = WEIGHTS[kind]

    def score(row) -> int:
        total = 0
        for _field, pattern in patterns:
            for attr, weight in weights.items():
                value = getattr(row, attr, None)
                if value and pattern.search(value):
                    total += weight
        return total

    return sorted(rows, key=lambda row: -score(row))


def _is_text(term: Term) -> bool:
    return term.field not in {"status", "role", "outcome", "recruiter"}


def highlight(text: str | None, tree: Node, limit: int | None = None) -> Markup:
    """Escape text and wrap each matched word in <mark>; long text is cut around the first."""
    if not text:
        return Markup("")
    patterns = [_pattern(t) for t in positive_terms(tree) if _is_text(t)]
    spans = sorted({(m.start(), m.end()) for p in patterns for m in p.finditer(text)})
    if limit and len(text) > limit:
        start = max(0, (spans[0][0] - limit // 3) if spans else 0)
        end = min(len(text), start + limit)
        spans = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
        prefix, suffix = ("…" if start else ""), ("…" if end < len(text) else "")
        text = text[start:end]
    else:
        prefix = suffix = ""
    out, cursor = [escape(prefix)], 0
    for start, end in spans:
        if start < cursor:
            continue
        out += [escape(text[cursor:start]), Markup("<mark>"), escape(text[start:end]),
                Markup("</mark>")]
        cursor = end
    out += [escape(text[cursor:]), escape(suffix)]
    return Markup("").join(out)

"""Marking the words that matched, accents and case aside, as the engines match them."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from app.search.engine import fold
from app.search.query import Node, Term, positive_terms


def _pattern(term: Term) -> re.Pattern:
    body = re.escape(fold(term.text)).replace(r"\ ", r"\s+")
    return re.compile(r"\b" + body + (r"\w*" if term.prefix else r"\b"))


def _is_text(term: Term) -> bool:
    return term.field not in {"status", "role", "outcome", "recruiter"}


def _folded(text: str) -> tuple[str, list[int]]:
    """The text folded as the engines fold it, and where each folded character came from."""
    chars, origin = [], []
    for i, char in enumerate(text):
        for folded in fold(char):
            chars.append(folded)
            origin.append(i)
    return "".join(chars), origin


def _spans(text: str, patterns: list[re.Pattern]) -> list[tuple[int, int]]:
    """Matches found in the folded text (so `muller` marks "Müller"), as spans of the text."""
    folded, origin = _folded(text)
    return sorted({(origin[m.start()], origin[m.end() - 1] + 1)
                   for p in patterns for m in p.finditer(folded) if m.end() > m.start()})


def highlight(text: str | None, tree: Node, limit: int | None = None) -> Markup:
    """Escape text and wrap each matched word in <mark>; long text is cut around the first."""
    if not text:
        return Markup("")
    spans = _spans(text, [_pattern(t) for t in positive_terms(tree) if _is_text(t)])
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

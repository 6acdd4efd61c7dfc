"""Ordering one kind's candidates: the engine's relevance blended with recency.

The candidates are the newest matches (the walk that counts them); each positive term asks the
engine how well each candidate's entries match (FTS5 bm25, PostgreSQL ts_rank_cd), summed and
scaled to the best candidate, then blended with how new the record is. A `~` term puts the names
spelled as typed above those that only sound alike or are nicknames.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.extensions import db
from app.search.engine import Match, relevance

RELEVANCE, RECENCY = 0.7, 0.3
# Entries scored per term at most: a term far commoner than the query's matches is cut here
# rather than scored across the whole index.
SCORED_ENTRIES = 5_000


@dataclass(frozen=True)
class Scored:
    """One full-text match to score candidates by; `exact` marks a `~` term's own spelling."""

    fields: tuple[str, ...]
    match: Match
    exact: bool = False


def rank(kind: str, ids: list[int], scoring: list[Scored]) -> list[int]:
    """The ids (newest first) in the order to show them."""
    if not scoring or len(ids) < 2:
        return ids
    connection = db.session.connection()
    score = dict.fromkeys(ids, 0.0)
    exact = dict.fromkeys(ids, 0)
    for scored in scoring:
        for ref_id, value in relevance(connection, kind, scored.fields, scored.match, ids,
                                       SCORED_ENTRIES).items():
            score[ref_id] += value
            exact[ref_id] += scored.exact
    best = max(score.values()) or 1.0
    newest = len(ids) - 1

    def order(position_and_id: tuple[int, int]) -> tuple[int, float]:
        position, ref_id = position_and_id
        blended = RELEVANCE * score[ref_id] / best + RECENCY * (1 - position / newest)
        return -exact[ref_id], -blended

    return [ref_id for _, ref_id in sorted(enumerate(ids), key=order)]

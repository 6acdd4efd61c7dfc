"""Ordering one kind's candidates: the engine's relevance blended with recency.

The candidates are the newest matches (the walk that counts them). The engine scores each
candidate's matching entries (FTS5 bm25, PostgreSQL ts_rank_cd), summed per record and scaled
to the best candidate, then blended with how new the record is. A `~` term puts the names
spelled as typed above those that only sound alike or are nicknames.
"""

from __future__ import annotations

from app.extensions import db
from app.search.engine import Arm, relevance

RELEVANCE, RECENCY = 0.7, 0.3
# Entries scored per term at most: a term far commoner than the query's matches is cut here
# rather than scored across the whole index.
SCORED_ENTRIES = 5_000


def scores_of(kind: str, ids: list[int], arms: list[Arm]) -> tuple[dict, dict]:
    """Each candidate's summed engine score, and how many `~` names it matches as spelled."""
    scores = dict.fromkeys(ids, 0.0)
    exact = dict.fromkeys(ids, 0)
    if len(ids) < 2:
        return scores, exact
    connection = db.session.connection()
    for arm in arms:
        for ref_id, value in relevance(connection, kind, arm, ids, SCORED_ENTRIES).items():
            scores[ref_id] += value
            exact[ref_id] += arm.exact
    return scores, exact


def rank(ids: list[int], scores: dict[int, float], exact: dict[int, int]) -> list[int]:
    """The ids (newest first) in the order to show them."""
    if len(ids) < 2:
        return ids
    best = max(scores.values()) or 1.0
    newest = len(ids) - 1

    def order(position_and_id: tuple[int, int]) -> tuple[int, float]:
        position, ref_id = position_and_id
        blended = (RELEVANCE * scores.get(ref_id, 0.0) / best
                   + RECENCY * (1 - position / newest))
        return -exact.get(ref_id, 0), -blended

    return [ref_id for _, ref_id in sorted(enumerate(ids), key=order)]

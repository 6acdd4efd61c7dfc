"""Colleagues whose name sounds like, or is a nickname of, a name just written down.

The duplicate check's second half: an exact name is refused (409, "already on file"); a heard
variant (Catherine Mueller for Katrin Müller, Bob for Robert) is only offered. The lookup reads
the stored "sound" keys through the full-text index (FTS5 on SQLite, the GIN index on
PostgreSQL), narrowed to the company, so it costs the same at 12 people or 12,000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, text

from app.extensions import db
from app.models import Person, SearchEntry
from app.models.person import person_name_key
from app.people.heard_names import name_words, query_keys, related_names, sound_tokens
from app.search.engine import fts_refs
from app.search.index import sync

SOUNDS_LIKE = "sounds_like"
NICKNAME = "nickname"
MAX_OFFERED = 5
CANDIDATES = 50  # rows the index may return before the word-by-word check
_PLAIN_KEY = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Similar:
    """Someone on file the new name may be, and why."""

    person: Person
    reason: str  # SOUNDS_LIKE or NICKNAME

    def as_json(self) -> dict:
        return {"id": self.person.id, "full_name": self.person.full_name, "reason": self.reason}


def _word_relation(heard: str, on_file: str) -> str | None:
    if heard == on_file or sound_tokens(heard) & sound_tokens(on_file):
        return SOUNDS_LIKE
    if on_file in related_names(heard) or heard in related_names(on_file):
        return NICKNAME
    return None


def relation(heard_name: str, on_file_name: str) -> str | None:
    """Why these names may be one person: every heard word meets a word on file, or None.

    "nickname" when some word only meets as a nickname (Bob Smith / Robert Smith).
    """
    heard_words, file_words = name_words(heard_name), name_words(on_file_name)
    if not heard_words or not file_words:
        return None
    reasons = set()
    for word in heard_words:
        found = {r for other in file_words if (r := _word_relation(word, other))}
        if not found:
            return None
        reasons.add(SOUNDS_LIKE if SOUNDS_LIKE in found else NICKNAME)
    return NICKNAME if NICKNAME in reasons else SOUNDS_LIKE


def _keys_match(dialect: str, groups: list[list[str]]):
    """Entries holding, for every word, one of its keys (all keys are plain ASCII words)."""
    # Written into the statement, not bound: PostgreSQL then plans for these very keys. A
    # bound query let a reused generic plan walk all 12,000 people of a big company instead
    # of the index (390 ms, not 1). Keys are [a-z0-9] only (checked), so nothing can escape.
    assert all(_PLAIN_KEY.fullmatch(key) for keys in groups for key in keys)
    query = " & ".join("(" + " | ".join(keys) + ")" for keys in groups)
    return text(f"search_entry.tsv @@ to_tsquery('simple', '{query}')")


def find_similar(company_id: int, full_name: str | None,
                 exclude_ids: set[int] | frozenset[int] = frozenset()) -> list[Similar]:
    """People at the company whose name sounds like or is a nickname of full_name.

    Exact matches (same normalised name) are not offered: the "already on file" check has them.
    """
    groups = [keys for keys in (query_keys(w) for w in name_words(full_name or "")) if keys]
    if not groups:
        return []
    sync(db.session)  # names this transaction wrote (another row of the same call) count too
    exact = person_name_key(full_name)
    dialect = db.engine.dialect.name
    # The index first, then the company: the other way round reads every entry of a big
    # company. A materialised CTE keeps either planner from choosing that for a company it
    # thinks is small (its estimate is the average company, 20 people).
    if dialect == "sqlite":  # FTS5's rowid says whose entry it is (app/search/engine.py)
        query = " AND ".join("(" + " OR ".join(f'"{k}"' for k in keys) + ")" for keys in groups)
        heard = fts_refs("person", ("sound",), query, "heard_keys")
    else:
        heard = select(SearchEntry.ref_id).where(
            SearchEntry.kind == "person", SearchEntry.field == "sound",
            _keys_match(dialect, groups))
    heard = heard.cte("heard").prefix_with("MATERIALIZED")  # (SQLite has it too, since 3.35)
    query = (
        select(Person).join(heard, heard.c.ref_id == Person.id)
        .where(Person.company_id == company_id, ~Person.placeholder)
        .order_by(Person.id).limit(CANDIDATES)
    )
    if exclude_ids:
        query = query.where(Person.id.not_in(exclude_ids))
    offered = []
    with db.session.no_autoflush:
        for person in db.session.scalars(query):
            if person.name_key == exact or not person.full_name:
                continue
            reason = relation(full_name or "", person.full_name)
            if reason:
                offered.append(Similar(person, reason))
    return offered[:MAX_OFFERED]


def similar_to(person: Person) -> list[Similar]:
    """Colleagues this person may be (for a person just created)."""
    if not person.full_name or person.company_id is None:
        return []
    return find_similar(person.company_id, person.full_name, {person.id})


def offers_for(people: list[Person]) -> list[tuple[Person, list[Similar]]]:
    """Each of these people with the older records they may duplicate (the newer one goes)."""
    offers = []
    for person in people:
        older = [s for s in similar_to(person) if s.person.id < person.id]
        if older:
            offers.append((person, older))
    return offers

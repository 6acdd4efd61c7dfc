"""Saved searches: a name and a query, with the count of matches added since the last run."""

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import SavedSearch, User, now_utc
from app.search.query import QueryError, parse
from app.search.service import run_search

MAX_SAVED = 50


@dataclass
class SavedView:
    search: SavedSearch
    new: int | None  # matches added since the last run; None if the query no longer parses


def save_search(user: User, name: str, query: str) -> SavedSearch:
    """Keep a query under a name (its syntax is checked now, not at the next run)."""
    parse(query)
    name = " ".join(name.split())[:120] or query[:120]
    count = len(db.session.scalars(select(SavedSearch.id).where(
        SavedSearch.user_id == user.id)).all())
    if count >= MAX_SAVED:
        raise QueryError(f"You can keep at most {MAX_SAVED} saved searches.", 0)
    search = SavedSearch(user_id=user.id, name=name, query=query, last_run_at=now_utc())
    db.session.add(search)
    db.session.commit()
    return search


def for_user(user: User) -> list[SavedView]:
    """The user's saved searches, each with how many matches are new since it last ran."""
    views = []
    for search in db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)
                                     .order_by(SavedSearch.name)):
        try:
            results = run_search(search.query, 1, user.timezone, since=search.last_run_at,
                                 counts_only=True)
            views.append(SavedView(search, results.total))
        except QueryError:
            views.append(SavedView(search, None))
    return views


def mark_run(user: User, search_id: int | None, query: str) -> SavedSearch | None:
    """Running a saved search (its own query) resets its count of new matches."""
    if not search_id:
        return None
    search = db.session.get(SavedSearch, search_id)
    if search is None or search.user_id != user.id or search.query != query:
        return None
    search.last_run_at = now_utc()
    db.session.commit()
    return search


def delete_search(search: SavedSearch) -> None:
    db.session.delete(search)
    db.session.commit()

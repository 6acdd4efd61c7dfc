"""sound keys for people's names (a "sound" search entry per person)

Revision ID: 7c3e5a9d2b10
Revises: a4b8c2d6e0f3
Create Date: 2026-12-01 23:05:00

A data migration: no schema changes. Every person gets the search entry that `~` search and the
duplicate check read, written in batches of people so no more than one batch is ever in memory.

The keys come from app.people.heard_names.sound_keys, the one function that also writes them on
every save; a frozen copy here would let the backfill and the live writes disagree the day the
copy drifted. That function is held stable instead: jellyfish and nicknames are pinned, and
tests/test_heard_names_keys.py pins sample outputs, so changing the keys fails a test until a
new migration rewrites the entries (delete the "sound" entries, run this backfill again).
"""
import sqlalchemy as sa
from alembic import op

from app.people.heard_names import sound_keys

# revision identifiers, used by Alembic.
revision = '7c3e5a9d2b10'
down_revision = 'a4b8c2d6e0f3'
branch_labels = None
depends_on = None

BATCH = 5000
person = sa.table("person", sa.column("id", sa.Integer), sa.column("full_name", sa.String))
search_entry = sa.table(
    "search_entry", sa.column("kind", sa.String), sa.column("ref_id", sa.Integer),
    sa.column("field", sa.String), sa.column("text", sa.Text))
SOUND_ENTRIES = sa.and_(search_entry.c.kind == "person", search_entry.c.field == "sound")


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.delete(search_entry).where(SOUND_ENTRIES))  # a rerun starts clean
    last = 0
    while True:
        people = conn.execute(
            sa.select(person.c.id, person.c.full_name).where(person.c.id > last)
            .order_by(person.c.id).limit(BATCH)).all()
        if not people:
            break
        rows = [{"kind": "person", "ref_id": pid, "field": "sound", "text": " ".join(keys)}
                for pid, name in people if (keys := sound_keys(name or ""))]
        if rows:
            conn.execute(sa.insert(search_entry), rows)
        last = people[-1].id
    if conn.dialect.name == "postgresql":
        # The inserts wait in the GIN index's pending list, which every full-text query scans
        # until autovacuum merges it: merge it now (200,000 entries made lookups 5x slower).
        conn.execute(sa.text("SELECT gin_clean_pending_list('ix_search_entry_tsv')"))


def downgrade():
    op.get_bind().execute(sa.delete(search_entry).where(SOUND_ENTRIES))

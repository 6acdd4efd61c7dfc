"""one person per name at a company: person.name_key, person.namesake, a partial unique index
and a lookup index on (company_id, name_key)

Revision ID: a9be50d7d99d
Revises: 5e55a1d7c0de
Create Date: 2026-12-01 10:40:00.000000

Existing rows get their key from (a frozen copy of) the app's person_name_key (the one definition of "the same
name"). Duplicates already on file lose nothing: at each company the oldest holder of a name
(lowest id) keeps it, and the later ones become namesakes, which the unique index leaves out.
They still share the key, so the duplicate check keeps offering them, and the person page keeps
listing them as likely duplicates to merge.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


def person_name_key(name):
    # A frozen copy of app.models.person.person_name_key as of this revision: a migration must
    # not change meaning when the app's code does later.
    if not name:
        return None
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())[:300] or None


# revision identifiers, used by Alembic.
revision = 'a9be50d7d99d'
down_revision = '5e55a1d7c0de'
branch_labels = None
depends_on = None

BATCH = 1000
WHERE = sa.text('NOT namesake')


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('namesake', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    conn = op.get_bind()
    person = sa.table('person', sa.column('id', sa.Integer), sa.column('company_id', sa.Integer),
                      sa.column('full_name', sa.String), sa.column('name_key', sa.String),
                      sa.column('namesake', sa.Boolean))
    rows = conn.execute(sa.select(person.c.id, person.c.company_id, person.c.full_name)
                        .where(person.c.full_name.is_not(None)).order_by(person.c.id))
    held: set[tuple[int, str]] = set()
    batch: list[dict] = []
    update = (sa.update(person).where(person.c.id == sa.bindparam('pid'))
              .values(name_key=sa.bindparam('key'), namesake=sa.bindparam('twin')))
    for pid, company_id, full_name in rows.all():
        key = person_name_key(full_name)
        if key is None:
            continue
        batch.append({'pid': pid, 'key': key, 'twin': (company_id, key) in held})
        held.add((company_id, key))
        if len(batch) >= BATCH:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('uq_person_company_id_name_key', ['company_id', 'name_key'],
                              unique=True, postgresql_where=WHERE, sqlite_where=WHERE)
        batch_op.create_index('ix_person_company_id_name_key', ['company_id', 'name_key'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_company_id_name_key')
        batch_op.drop_index('uq_person_company_id_name_key', postgresql_where=WHERE,
                            sqlite_where=WHERE)
        batch_op.drop_column('namesake')
        batch_op.drop_column('name_key')

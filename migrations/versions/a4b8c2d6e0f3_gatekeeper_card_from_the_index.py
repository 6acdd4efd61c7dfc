"""gatekeeper card from the index: ix_call_company_answered gains started_at, person_id, outcome

The company page's gatekeeper card counted a big company's answered calls (~4,000) reading
every row, then ranked all of them to keep each gatekeeper's latest 50. With the extra columns
the counts come from the index and each gatekeeper's latest calls are read newest first.

Revision ID: a4b8c2d6e0f3
Revises: 9e3a7c5d1f62
Create Date: 2026-12-01 23:35:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4b8c2d6e0f3'
down_revision = '9e3a7c5d1f62'
branch_labels = None
depends_on = None

ANSWERED = sa.text("answered_by_id IS NOT NULL")


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_company_answered', postgresql_where=ANSWERED,
                            sqlite_where=ANSWERED)
        batch_op.create_index('ix_call_company_answered',
                              ['company_id', 'answered_by_id', 'started_at', 'person_id',
                               'outcome'], unique=False, postgresql_where=ANSWERED,
                              sqlite_where=ANSWERED)


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_company_answered', postgresql_where=ANSWERED,
                            sqlite_where=ANSWERED)
        batch_op.create_index('ix_call_company_answered', ['company_id', 'answered_by_id'],
                              unique=False, postgresql_where=ANSWERED, sqlite_where=ANSWERED)

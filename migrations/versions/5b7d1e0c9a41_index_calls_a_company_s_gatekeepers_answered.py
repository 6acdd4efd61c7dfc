"""index: the calls a company's gatekeepers answered (the calling screen's gatekeeper card)

Revision ID: 5b7d1e0c9a41
Revises: 5b1e0c7a9d42
Create Date: 2026-12-01 14:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b7d1e0c9a41'
down_revision = '5b1e0c7a9d42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_company_answered', ['company_id', 'answered_by_id'],
                              unique=False, postgresql_where=sa.text('answered_by_id IS NOT NULL'),
                              sqlite_where=sa.text('answered_by_id IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_company_answered',
                            postgresql_where=sa.text('answered_by_id IS NOT NULL'),
                            sqlite_where=sa.text('answered_by_id IS NOT NULL'))

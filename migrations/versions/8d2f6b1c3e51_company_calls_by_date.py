"""company calls by date: (company_id, started_at) replaces ix_call_company_id

The company page lists a company's 100 latest calls; with only ix_call_company_id both
databases read all of a big company's calls (~20,000) and sorted them. The new index serves
every lookup by company_id alone as well.

Revision ID: 8d2f6b1c3e51
Revises: 7c1e5a9d2b40
Create Date: 2026-12-01 23:25:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '8d2f6b1c3e51'
down_revision = '7c1e5a9d2b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_company_started_at', ['company_id', 'started_at'],
                              unique=False)
        batch_op.drop_index('ix_call_company_id')


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_company_id', ['company_id'], unique=False)
        batch_op.drop_index('ix_call_company_started_at')

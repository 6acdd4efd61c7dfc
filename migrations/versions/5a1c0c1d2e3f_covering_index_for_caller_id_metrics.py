"""covering index for the metrics page's answer rate by caller ID

A recruiter's 12-month view read ~100,000 call rows for it; the index answers it alone.

Revision ID: 5a1c0c1d2e3f
Revises: 8ca5db055953
Create Date: 2026-12-02 00:36:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1c0c1d2e3f'
down_revision = '8ca5db055953'
branch_labels = None
depends_on = None

COLUMNS = ['user_id', 'started_at', 'caller_id', 'outcome', 'direction']
LOGGED_WITH_CALLER_ID = sa.text('caller_id IS NOT NULL AND outcome IS NOT NULL')


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_user_caller_id_metrics', COLUMNS, unique=False,
                              postgresql_where=LOGGED_WITH_CALLER_ID,
                              sqlite_where=LOGGED_WITH_CALLER_ID)
    # Fresh planner statistics: the caller-ID query chooses between this and ix_call_metrics.
    op.get_bind().exec_driver_sql('ANALYZE call')


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_user_caller_id_metrics')

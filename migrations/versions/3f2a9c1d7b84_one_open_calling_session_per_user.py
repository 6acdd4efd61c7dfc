"""one open calling session per user

Revision ID: 3f2a9c1d7b84
Revises: 117f5afb0c32
Create Date: 2026-12-01 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f2a9c1d7b84'
down_revision = '117f5afb0c32'
branch_labels = None
depends_on = None


def upgrade():
    # Close all but each user's latest open block first (at its last activity), so the index
    # can be built on any data written before it.
    op.execute(
        "UPDATE calling_session SET ended_at = last_activity_at WHERE ended_at IS NULL "
        "AND id NOT IN (SELECT max(id) FROM calling_session WHERE ended_at IS NULL "
        "GROUP BY user_id)"
    )
    with op.batch_alter_table('calling_session', schema=None) as batch_op:
        batch_op.create_index('uq_calling_session_open', ['user_id'], unique=True,
                              postgresql_where=sa.text('ended_at IS NULL'),
                              sqlite_where=sa.text('ended_at IS NULL'))


def downgrade():
    with op.batch_alter_table('calling_session', schema=None) as batch_op:
        batch_op.drop_index('uq_calling_session_open',
                            postgresql_where=sa.text('ended_at IS NULL'),
                            sqlite_where=sa.text('ended_at IS NULL'))

"""follow-up index covers user and done: replaces the plain ix_call_follow_up_at

The plain index on call.follow_up_at drew both planners away from the partial indexes on open
follow-ups (Today, the company page, missed calls): PostgreSQL used "follow_up_at IS NOT NULL"
as its index condition and read a year of closed follow-ups. Metrics still needs follow-ups by
due date, so the replacement leads with follow_up_at and carries user_id and follow_up_done_at.

Revision ID: 7c1e5a9d2b40
Revises: 3911b78c7159
Create Date: 2026-12-01 23:15:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c1e5a9d2b40'
down_revision = '3911b78c7159'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_follow_up_due',
                              ['follow_up_at', 'user_id', 'follow_up_done_at'], unique=False)
        batch_op.drop_index('ix_call_follow_up_at')


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_follow_up_at', ['follow_up_at'], unique=False)
        batch_op.drop_index('ix_call_follow_up_due')

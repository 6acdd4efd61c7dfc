"""index a recruiter's calls by time (calling-block summaries); it replaces ix_call_user_id,
which it serves as a prefix

Revision ID: 4fb8e8d3ee7c
Revises: 5b7d1e0c9a41
Create Date: 2026-12-01 14:49:20.345295

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '4fb8e8d3ee7c'
down_revision = '5b7d1e0c9a41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_user_started_at', ['user_id', 'started_at'], unique=False)
        batch_op.drop_index(batch_op.f('ix_call_user_id'))


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_user_id'), ['user_id'], unique=False)
        batch_op.drop_index('ix_call_user_started_at')

"""index of logged calls per number: ix_call_to_number_started_at only covers logged calls

The queue asks for the latest *logged* call to each number (is it bad?); with the index limited
to calls that have an outcome, that answer comes from the index alone.

Revision ID: 5b1e0c7a9d42
Revises: 3f2a9c1d7b84
Create Date: 2026-12-01 14:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7a9d42'
down_revision = '3f2a9c1d7b84'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_to_number_started_at')
        batch_op.create_index('ix_call_to_number_started_at', ['to_number', 'started_at'], unique=False, postgresql_where=sa.text('outcome IS NOT NULL'), sqlite_where=sa.text('outcome IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_to_number_started_at', postgresql_where=sa.text('outcome IS NOT NULL'), sqlite_where=sa.text('outcome IS NOT NULL'))
        batch_op.create_index('ix_call_to_number_started_at', ['to_number', 'started_at'], unique=False)

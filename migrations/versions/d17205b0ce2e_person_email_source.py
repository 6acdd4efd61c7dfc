"""person.email_source (where an email came from when not typed) and an index for the email
pattern's "changed since learned?" check

email_source is nullable and empty for existing rows: their addresses were typed or imported, so
there is nothing to backfill.

Revision ID: d17205b0ce2e
Revises: 12aeeeb6e151
Create Date: 2026-12-01 23:00:13.947119

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd17205b0ce2e'
down_revision = '12aeeeb6e151'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_source', sa.String(length=120), nullable=True))
        batch_op.create_index('ix_person_company_id_updated_at', ['company_id', 'updated_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_company_id_updated_at')
        batch_op.drop_column('email_source')

"""people of a company by name: (company_id, full_name) replaces ix_person_company_id

The company page lists a company's first 100 people by name; with only ix_person_company_id
PostgreSQL read and sorted all of a 12,000-person company (hundreds of ms with a cold cache).

Revision ID: 9e3a7c5d1f62
Revises: 8d2f6b1c3e51
Create Date: 2026-12-01 23:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '9e3a7c5d1f62'
down_revision = '8d2f6b1c3e51'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_company_full_name', ['company_id', 'full_name'],
                              unique=False)
        batch_op.drop_index('ix_person_company_id')


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_company_id', ['company_id'], unique=False)
        batch_op.drop_index('ix_person_company_full_name')

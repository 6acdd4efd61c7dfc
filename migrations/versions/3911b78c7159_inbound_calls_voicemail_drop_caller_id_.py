"""inbound calls (direction, routed_to, company optional), voicemail drop (voicemail table),
caller ID pool (call.caller_id), browser presence for inbound calls

Revision ID: 3911b78c7159
Revises: 4fb8e8d3ee7c
Create Date: 2026-12-01 15:52:18.315257

"""
from alembic import op
import sqlalchemy as sa

import app.models.types


# revision identifiers, used by Alembic.
revision = '3911b78c7159'
down_revision = '4fb8e8d3ee7c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('voicemail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('audio', sa.LargeBinary(), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_voicemail_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voicemail'))
    )
    with op.batch_alter_table('voicemail', schema=None) as batch_op:
        batch_op.create_index('uq_voicemail_user_name', ['user_id', 'name'], unique=True, postgresql_where=sa.text('deleted_at IS NULL'), sqlite_where=sa.text('deleted_at IS NULL'))

    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('direction', sa.Enum('outbound', 'inbound', name='direction', native_enum=False), server_default='outbound', nullable=False))
        batch_op.add_column(sa.Column('caller_id', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('routed_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('voicemail_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('voicemail_drop_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('voicemail_dropped_at', app.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('company_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_call_caller_id'), ['caller_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_call_routed_to_id_user'), 'user', ['routed_to_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_call_voicemail_id_voicemail'), 'voicemail', ['voicemail_id'], ['id'])

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('browser_online_until', app.models.types.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    # Inbound calls from unknown numbers belong to no company, which the old schema cannot hold.
    op.execute("DELETE FROM call WHERE company_id IS NULL")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('browser_online_until')

    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_call_voicemail_id_voicemail'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_call_routed_to_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_call_caller_id'))
        batch_op.alter_column('company_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('voicemail_dropped_at')
        batch_op.drop_column('voicemail_drop_status')
        batch_op.drop_column('voicemail_id')
        batch_op.drop_column('routed_to_id')
        batch_op.drop_column('caller_id')
        batch_op.drop_column('direction')

    with op.batch_alter_table('voicemail', schema=None) as batch_op:
        batch_op.drop_index('uq_voicemail_user_name', postgresql_where=sa.text('deleted_at IS NULL'), sqlite_where=sa.text('deleted_at IS NULL'))

    op.drop_table('voicemail')

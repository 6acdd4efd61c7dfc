"""session tokens and revoked api tokens

Revision ID: 5e55a1d7c0de
Revises: b6a5387aabbd
Create Date: 2026-12-01 10:36:00.200883

Every existing user gets a random session token. Sessions and remember-me cookies signed before
this revision name a bare user id, so they sign nobody in any more: everyone signs in once.
Existing API tokens stay valid (revoked_at is NULL).
"""
import secrets

from alembic import op
import sqlalchemy as sa

import app.models.types


# revision identifiers, used by Alembic.
revision = '5e55a1d7c0de'
down_revision = 'b6a5387aabbd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', app.models.types.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))

    # Random per user, so it cannot be one SQL default: fill the existing rows one by one.
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(user.update().where(user.c.id == user_id)
                           .values(session_token=secrets.token_urlsafe(32)))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_token')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')

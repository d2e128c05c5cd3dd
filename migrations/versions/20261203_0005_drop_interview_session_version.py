"""drop interview_sessions.version: bumped on every transition but never read

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table (older SQLite cannot drop a column in place)
    with op.batch_alter_table('interview_sessions') as batch:
        batch.drop_column('version')


def downgrade() -> None:
    with op.batch_alter_table('interview_sessions') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))

"""Scale-out: a next-run column that instances claim due digests by, and delivery records.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("channels", sa.Column("next_run", sa.Float))
    op.create_index("channels_due", "channels", ["next_run"])
    op.create_table(
        "deliveries",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("request", sa.String(200), primary_key=True),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("created", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_index("channels_due", "channels")
    op.drop_column("channels", "next_run")

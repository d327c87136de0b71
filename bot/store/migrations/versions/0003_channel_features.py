"""Channel and operator features: digest languages, templates, Telegraph pages, per-feed
hashtags, a small key-value table for state the bot creates once (the Telegraph account),
daily brief counts per user (quotas and the admin's usage list) and channel events (stats).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("channels", sa.Column("languages", sa.Text, nullable=False, server_default=""))
    op.add_column("channels", sa.Column("template", sa.Text, nullable=False, server_default=""))
    op.add_column("channels", sa.Column("telegraph", sa.Integer, nullable=False, server_default="0"))
    op.add_column("feeds", sa.Column("hashtags", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "bot_state",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "usage",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("briefs", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "channel_events",
        sa.Column("id", RowId, primary_key=True),
        sa.Column("channel_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("feed_url", sa.Text),
        sa.Column("count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("channel_events_by_time", "channel_events", ["channel_id", "at"])


def downgrade() -> None:
    op.drop_index("channel_events_by_time", "channel_events")
    op.drop_table("channel_events")
    op.drop_table("usage")
    op.drop_table("bot_state")
    op.drop_column("feeds", "hashtags")
    op.drop_column("channels", "telegraph")
    op.drop_column("channels", "template")
    op.drop_column("channels", "languages")

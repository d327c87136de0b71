"""Briefs rendered for readers: plain text, JSON and Telegram HTML."""

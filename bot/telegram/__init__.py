"""The Telegram bot: PTB wiring (`app`), handlers per feature, UI texts, the runner."""

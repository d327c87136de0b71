"""One module per feature; `bot.telegram.app` registers them all in one place."""

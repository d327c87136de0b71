"""Facts in an article: figures, number words, dates and who is credited for what."""

"""Channel digests: story grouping, schedules, post assembly and the digest service.

Knows nothing of Telegram: the service is handed a `post` callable that sends.
"""

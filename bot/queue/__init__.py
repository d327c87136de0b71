"""Scale-out work: brief jobs on a distributed task queue (Taskiq over Redis streams).

Knows nothing of Telegram: a job names a stored pending brief, and the worker is handed the
function that finishes one (bot.telegram.worker adapts it).
"""

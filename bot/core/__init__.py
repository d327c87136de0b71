"""Pure brief-making: no I/O, no network, no Telegram; imports nothing outside bot.core."""

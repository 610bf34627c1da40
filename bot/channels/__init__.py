"""Channels: each turns its platform's events into Incoming and renders Outgoing its own way."""

# What Telegram's learners are stored under (bot/channels/telegram.py): here, so that a server
# without a Telegram token never imports python-telegram-bot (0.3 s of CPU at each start).
TELEGRAM = "telegram"

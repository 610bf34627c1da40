"""Channels: each turns its platform's events into Incoming and renders Outgoing its own way."""

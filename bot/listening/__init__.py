"""Listening to what residents type in their own words: questions and "I don't understand"."""

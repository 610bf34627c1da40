"""Listening to what residents bring in their own words: questions, "I don't understand",
suspicious messages."""

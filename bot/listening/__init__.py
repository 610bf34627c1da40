"""Understanding what residents bring in their own words: questions and suspicious messages."""

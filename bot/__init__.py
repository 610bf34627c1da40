"""Học Số: a chatbot tutor for basic digital skills."""

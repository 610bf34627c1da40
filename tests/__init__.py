"""Học Số test suite."""

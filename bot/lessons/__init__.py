"""Courses: the content model, its loader and validator, pure progression and rendering."""

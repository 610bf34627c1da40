"""The organizers' dashboard at /admin: sign-in, reports per area, exports."""

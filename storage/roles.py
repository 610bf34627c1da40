"""The dashboard's roles, in a module of their own so that `hocso --help` lists them cheaply."""

ROLES = ("organizer", "viewer")  # a viewer sees numbers only, never the list of learners

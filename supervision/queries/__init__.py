"""The read side: each page's rows in one call per page, scoped through permissions.py."""

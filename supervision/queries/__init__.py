"""The read side: one function per page, each scoped by who is asking (permissions.py helpers)."""

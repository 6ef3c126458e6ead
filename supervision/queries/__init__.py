"""The read side: one module per area, one read function per page, every read scoped by who asks."""

"""The read side: one module per area, one read function per page, scoped through permissions."""

"""Writers for .xlsx and .docx exports, one module per area."""

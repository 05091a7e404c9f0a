"""Supplier pages (pages), the record page panel (panel), the CI page panel (cmdb), manager pages (manage)."""

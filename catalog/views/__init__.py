"""Catalog pages: the portal (browse, order, follow requests) and the workspace (fulfilment tasks)."""

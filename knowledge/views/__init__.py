"""Knowledge pages: the agents' workspace (workspace.py, record.py, review.py), the portal
(portal.py) and the deflection fragments used by other practices' pages (deflection.py)."""

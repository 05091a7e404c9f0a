"""Incident pages: the agent workspace (queues, bulk actions, the record page) and the portal's.

Modules: `workspace` (queues and bulk), `bulk` (per-row actions), `record` (the record page),
`editing` (in-place edits), `actions` (the record page's form posts), `lookups` (presence,
impact and CI fragments), `portal` (end users), `common` (what they share).
"""

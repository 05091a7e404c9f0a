"""Registers the CMDB's API endpoints on the platform router."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Services, configuration items (with impact) and relationships."""

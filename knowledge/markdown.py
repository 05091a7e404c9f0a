"""Article bodies are rendered by the platform's one Markdown renderer (`itsm.core.markdown`),
shared with the catalog's item descriptions; kept here so knowledge code imports it as before."""

from itsm.core.markdown import plain_text, render

__all__ = ["plain_text", "render"]

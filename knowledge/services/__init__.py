"""The knowledge write path and the one search. Pages, portal, API, tasks and other practices
(through this module only) call these."""

from knowledge.services.articles import (
    create_article,
    move_article,
    publish_due,
    restore_version,
    update_article,
)
from knowledge.services.attachments import add_article_attachment
from knowledge.services.engagement import (
    close_review_task,
    flag_outdated,
    give_feedback,
    record_article_use,
    record_deflection,
    record_view,
    remind_reviews,
)
from knowledge.services.figures import deflection_figures
from knowledge.services.reuse import draft_from_task, publish_known_error_article
from knowledge.services.search import Filters, Hit, search_articles

__all__ = [
    "Filters",
    "Hit",
    "add_article_attachment",
    "close_review_task",
    "create_article",
    "deflection_figures",
    "draft_from_task",
    "flag_outdated",
    "give_feedback",
    "move_article",
    "publish_due",
    "publish_known_error_article",
    "record_article_use",
    "record_deflection",
    "record_view",
    "remind_reviews",
    "restore_version",
    "search_articles",
    "update_article",
]

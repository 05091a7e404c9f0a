"""Beat: publish scheduled articles, remind owners of review dates. Thin bodies over services."""

from celery import shared_task

from knowledge import services


@shared_task(name="knowledge.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    """Publish what is due, then open review tasks for review dates within a week."""
    return {"published": services.publish_due(), "reminded": services.remind_reviews()}

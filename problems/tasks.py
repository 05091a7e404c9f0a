"""Celery tasks of the problem practice."""

import logging

from celery import shared_task

from problems.services import propose_problems

logger = logging.getLogger(__name__)


@shared_task(name="problems.propose", ignore_result=True)
def propose_problems_task() -> dict:
    """Beat job: cluster recent incidents and record proposed problems (see problems/clustering.py)."""
    report = propose_problems()
    logger.info(
        "problems.propose: %s incidents, %s clusters, %s new, %s updated, %s skipped in %.1f s",
        report.incidents,
        report.clusters,
        report.created,
        report.updated,
        report.skipped,
        report.seconds,
    )
    return {"incidents": report.incidents, "clusters": report.clusters, "created": report.created}

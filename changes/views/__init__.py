"""Change pages: workspace queues, the record page, the CAB agenda (and the schedule's calendar)."""

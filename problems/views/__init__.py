"""Problem pages: queues and the candidates queue (`workspace`), the record page and its form posts
(`record`), and what the incident record page loads from the problem practice (`incident_side`)."""

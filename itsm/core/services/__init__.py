"""The core's write path: numbering, timeline, comments, links, attachments."""

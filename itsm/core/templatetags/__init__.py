"""Template tags of the platform: `{% load itsm %}`."""

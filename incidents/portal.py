"""What the incident practice adds to the portal home: a banner per service with a major incident.

Discovered by `itsm.portal` when it starts (see `itsm/portal/banners.py`).
"""

from incidents.views.portal import major_incident_banners
from itsm.portal import banners

banners.register(major_incident_banners)

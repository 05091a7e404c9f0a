"""What inbound e-mail does to incidents (registered with the platform's mail channel).

- New mail raises an incident for the sender (contact type e-mail).
- A reply to an open incident becomes a public reply (the quoted history cut off).
- A reply to a resolved incident reopens it within the reopen window, then adds the reply.
- A reply to an incident past that window (or closed or cancelled) raises a new incident,
  linked to the old one, so nothing the requester says is lost on a finished record.

Every write goes through `incidents.services` and the core services.
"""

from django.contrib.auth.models import User

from incidents import services
from incidents.choices import ContactType
from incidents.models import Incident
from incidents.workflow import RESOLVED, within_reopen_window
from itsm.core.choices import LinkKind, TaskKind
from itsm.core.models import Task
from itsm.core.services.activity import link_tasks
from itsm.mail.choices import Outcome
from itsm.mail.registry import Handled, InboundMail
from itsm.mail.senders import gateway_user


class IncidentMailHandler:
    name = "incident"
    kind = TaskKind.INCIDENT
    label = "Incidents"

    def create(self, mail: InboundMail, *, sender: User) -> Handled:
        incident = services.create_incident(
            actor=sender,
            title=mail.subject or _first_line(mail.text) or "(no subject)",
            description=mail.text or "(The message had no text.)",
            requester=sender,
            contact_type=ContactType.EMAIL,
        )
        return Handled(incident, Outcome.CREATED)

    def reply(self, task: Task, mail: InboundMail, *, sender: User) -> Handled:
        incident = Incident.objects.get(pk=task.pk)
        if incident.is_active:
            services.add_reply(incident, actor=sender, body=_reply_body(mail))
            return Handled(incident, Outcome.REPLIED)
        if incident.state == RESOLVED and within_reopen_window(incident) is None:
            reason = "The requester replied by e-mail."
            incident = services.reopen_incident(incident, actor=sender, reason=reason)
            services.add_reply(incident, actor=sender, body=_reply_body(mail))
            return Handled(incident, Outcome.REOPENED)
        return self._follow_up(incident, mail, sender)

    def _follow_up(self, old: Incident, mail: InboundMail, sender: User) -> Handled:
        new = services.create_incident(
            actor=sender,
            title=mail.subject or f"Follow-up to {old.number}",
            description=f"Follow-up to {old.number} (no longer open).\n\n{_reply_body(mail)}",
            requester=sender,
            contact_type=ContactType.EMAIL,
        )
        link_tasks(new, old, LinkKind.RELATED_TO, actor=gateway_user())
        return Handled(new, Outcome.FOLLOWED_UP)


def _reply_body(mail: InboundMail) -> str:
    return mail.reply_text or mail.text or "(The reply had no text; see its attachments.)"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:120]

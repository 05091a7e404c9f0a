"""What inbound e-mail does to service requests (registered with the platform's mail channel).

A mailbox set to "Requests: <item>" turns each new message into a request (REQ) for the
sender with one requested item (RITM) of that catalog item: the subject is the request's
title, the text its description, and the files become attachments (the channel stores them).
The acknowledgement is the catalog's usual "We received your request REQ…" mail, which
carries the number in its subject and the per-record reply address.

Replies — to the request or to one of its items, found by the channel through the thread
headers, the reply address or the number in the subject — become the requester's public
reply on the request while it is open. A reply to a finished request raises a new request
for the same item, linked to the old one, so nothing the requester writes is lost on a
closed record.

Only items without required questions can be chosen: an e-mail cannot answer them. Every
write goes through `catalog.services`.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import CatalogItem, Request, RequestItem
from catalog.workflow import REQUEST_OPEN
from itsm.core.choices import LinkKind, TaskKind
from itsm.core.models import Task
from itsm.core.services.activity import link_tasks
from itsm.mail.choices import Outcome
from itsm.mail.registry import Handled, InboundMail
from itsm.mail.senders import gateway_user

NO_TEXT = "(The message had no text.)"


class RequestMailHandler:
    name = "request"
    kind = TaskKind.REQUEST
    reply_kinds = (TaskKind.REQUEST_ITEM,)
    label = "Requests"

    def options(self) -> list[tuple[str, str]]:
        """Items a mailbox may raise requests for: offered, and with nothing that must be answered."""
        return list(mail_items().values_list("slug", "name"))

    def create(self, mail: InboundMail, *, sender: User) -> Handled:
        item = _mailbox_item(mail.mailbox)
        request = _order(
            item, sender, title=mail.subject or _first_line(mail.text), notes=mail.text or NO_TEXT
        )
        return Handled(request, Outcome.CREATED)

    def reply(self, task: Task, mail: InboundMail, *, sender: User) -> Handled:
        request = _request_of(task)
        body = mail.reply_text or mail.text or "(The reply had no text; see its attachments.)"
        if request.state in REQUEST_OPEN:
            services.add_request_reply(request, actor=sender, body=body)
            return Handled(request, Outcome.REPLIED)
        return self._follow_up(request, mail, sender, body)

    def _follow_up(self, old: Request, mail: InboundMail, sender: User, body: str) -> Handled:
        """A new request for the mailbox's item (else the old request's first item), linked."""
        item = _mailbox_item(mail.mailbox, required=False) or _first_item_of(old)
        new = _order(
            item,
            sender,
            title=mail.subject or f"Follow-up to {old.number}",
            notes=f"Follow-up to {old.number} (no longer open).\n\n{body}",
        )
        link_tasks(new, old, LinkKind.RELATED_TO, actor=gateway_user())
        return Handled(new, Outcome.FOLLOWED_UP)


def mail_items():
    return (
        CatalogItem.objects.filter(is_active=True, standard_change=False)
        .exclude(variables__required=True)
        .order_by("name")
    )


def _order(item: CatalogItem, sender: User, *, title: str, notes: str) -> Request:
    line = services.OrderLine(item=item)
    return services.submit_request(actor=sender, lines=[line], notes=notes, title=title[:250])


def _mailbox_item(mailbox, *, required: bool = True) -> CatalogItem | None:
    """The catalog item the mailbox raises requests for; a missing one is a refusal (quarantine)."""
    slug = getattr(mailbox, "handler_option", "") if getattr(mailbox, "handler", "") == "request" else ""
    item = mail_items().filter(slug=slug).first() if slug else None
    if item is None and required:
        where = f"mailbox {mailbox.name!r}" if mailbox is not None else "the default mailbox"
        raise ValidationError(
            f"The catalog item {slug!r} of {where} is not offered for e-mail requests "
            "(retired, or it has required questions): choose another item for the mailbox."
        )
    return item


def _first_item_of(request: Request) -> CatalogItem:
    line = (
        RequestItem.objects.filter(parent_request=request)
        .select_related("catalog_item")
        .order_by("pk")
        .first()
    )
    if line is None:
        raise ValidationError(f"{request.number} has no item to follow up.")
    return line.catalog_item


def _request_of(task: Task) -> Request:
    if task.kind == TaskKind.REQUEST_ITEM:
        return RequestItem.objects.select_related("parent_request").get(pk=task.pk).parent_request
    return Request.objects.get(pk=task.pk)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "") or "(no subject)"

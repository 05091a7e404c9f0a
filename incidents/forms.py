"""Forms of the incident pages: the workspace's edits, moves and bulk actions, and the portal's.

Forms only validate and convert input; every write happens in `incidents.services`, whose
errors the views put back on these forms. Choice lists (teams, their members, categories,
services) are loaded once per request into `ChoiceLists` and shared by every form on the
page, so a page with six selects still costs four queries, not six or more.
"""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.db.models.functions import Concat

from incidents.choices import ContactType, HoldReason, ResolutionCode
from incidents.models import Category
from itsm.cmdb.choices import OperationalStatus
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.choices import Impact, LinkKind, Urgency
from itsm.core.models import Task, Team

#: The longest text a reply, note or description may be (the same as the generic comment form).
MAX_TEXT = 20000
#: A version a form may carry: anything else is a tampered form, refused as a field error.
MAX_VERSION = 2**31 - 1
#: Rows one bulk action may touch (a page holds 50).
BULK_LIMIT = 100


def person(user: User | None) -> str:
    """How a person is named on every incident page."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass
class ChoiceLists:
    """Teams, their active members, categories and services: loaded once, shared by the page's forms."""

    teams: list[Team]
    members: list[tuple[Team, list[User]]]
    categories: list[Category]
    services: list[Service]

    @classmethod
    def load(cls) -> "ChoiceLists":
        teams = list(Team.objects.filter(is_active=True).order_by("name"))
        membership = Team.members.through.objects.filter(
            team__is_active=True, user__is_active=True
        ).select_related("user")
        by_team: dict[int, list[User]] = {team.pk: [] for team in teams}
        for row in membership.order_by("user__first_name", "user__last_name", "user__username"):
            by_team.get(row.team_id, []).append(row.user)
        return cls(
            teams=teams,
            members=[(team, by_team[team.pk]) for team in teams if by_team[team.pk]],
            categories=list(Category.objects.filter(is_active=True).select_related("parent")),
            services=list(
                Service.objects.exclude(operational_status=OperationalStatus.RETIRED).order_by("name")
            ),
        )

    def team_choices(self, empty: str = "No group") -> list[tuple[str, str]]:
        return [("", empty), *((str(team.pk), team.name) for team in self.teams)]

    def people(self) -> dict[int, User]:
        return {user.pk: user for _team, users in self.members for user in users}

    def person_choices(self, empty: str = "Nobody") -> list:
        """Members grouped by team (a person in two teams appears under both)."""
        groups = [
            (team.name, [(str(user.pk), person(user)) for user in users]) for team, users in self.members
        ]
        return [("", empty), *groups]

    def category_choices(self, *, sub: bool) -> list[tuple[str, str]]:
        rows = [c for c in self.categories if bool(c.parent_id) == sub]
        return [("", "—"), *((str(c.pk), str(c)) for c in rows)]

    def service_choices(self, empty: str = "No service") -> list[tuple[str, str]]:
        return [("", empty), *((str(s.pk), s.name) for s in self.services)]

    def pick(self, rows: list, value: str):
        """The row with this id from a loaded list, or None for the empty choice.

        The field's choices come from the same list, so a valid value is always found.
        """
        return next((row for row in rows if str(row.pk) == value), None) if value else None


class VersionedForm(forms.Form):
    """Carries the version the page was rendered with, so the service can refuse a stale save."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)


class ListsForm(VersionedForm):
    """A versioned form whose selects come from the page's ChoiceLists."""

    def __init__(self, *args, lists: ChoiceLists, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lists = lists


# --- in-place edits ---------------------------------------------------------------------


class TitleForm(VersionedForm):
    title = forms.CharField(max_length=250, error_messages={"required": "The title cannot be empty."})

    def changes(self) -> dict:
        return {"title": self.cleaned_data["title"]}


class DescriptionForm(VersionedForm):
    description = forms.CharField(
        required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )

    def changes(self) -> dict:
        return {"description": self.cleaned_data["description"]}


class CategoryForm(ListsForm):
    category = forms.ChoiceField(required=False)
    subcategory = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = self.lists.category_choices(sub=False)
        self.fields["subcategory"].choices = self.lists.category_choices(sub=True)

    def clean_category(self):
        return self.lists.pick(self.lists.categories, self.cleaned_data["category"])

    def clean_subcategory(self):
        return self.lists.pick(self.lists.categories, self.cleaned_data["subcategory"])

    def changes(self) -> dict:
        return {"category": self.cleaned_data["category"], "subcategory": self.cleaned_data["subcategory"]}


class ServiceForm(ListsForm):
    service = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = self.lists.service_choices()

    def clean_service(self):
        return self.lists.pick(self.lists.services, self.cleaned_data["service"])

    def changes(self) -> dict:
        return {"service": self.cleaned_data["service"]}


class CIForm(VersionedForm):
    """A configuration item by name: there are too many for a select; the page suggests names."""

    configuration_item = forms.CharField(label="Configuration item", required=False, max_length=200)

    def clean_configuration_item(self):
        name = self.cleaned_data["configuration_item"].strip()
        if not name:
            return None
        found = ConfigurationItem.objects.filter(name__iexact=name).first()
        if found is None:
            raise ValidationError(f"There is no configuration item called “{name}”.")
        return found

    def changes(self) -> dict:
        return {"configuration_item": self.cleaned_data["configuration_item"]}


class ImpactForm(VersionedForm):
    impact = forms.TypedChoiceField(choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(choices=Urgency.choices, coerce=int)

    def changes(self) -> dict:
        return {"impact": self.cleaned_data["impact"], "urgency": self.cleaned_data["urgency"]}


#: The record page's in-place editable groups: URL name → (form, label).
EDIT_FORMS: dict[str, tuple[type[VersionedForm], str]] = {
    "title": (TitleForm, "Title"),
    "description": (DescriptionForm, "Description"),
    "category": (CategoryForm, "Category"),
    "service": (ServiceForm, "Service"),
    "ci": (CIForm, "Configuration item"),
    "impact": (ImpactForm, "Impact and urgency"),
}


class AssignForm(ListsForm):
    assignment_group = forms.ChoiceField(label="Group", required=False)
    assignee = forms.ChoiceField(label="Assignee", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment_group"].choices = self.lists.team_choices()
        self.fields["assignee"].choices = self.lists.person_choices()

    def clean_assignment_group(self):
        return self.lists.pick(self.lists.teams, self.cleaned_data["assignment_group"])

    def clean_assignee(self):
        return self.lists.pick(list(self.lists.people().values()), self.cleaned_data["assignee"])


# --- moves ------------------------------------------------------------------------------


class HoldForm(VersionedForm):
    reason = forms.ChoiceField(label="Why is it on hold?", choices=[("", "Choose…"), *HoldReason.choices])


class ResolveForm(VersionedForm):
    resolution_code = forms.ChoiceField(
        label="Resolution", choices=[("", "Choose…"), *ResolutionCode.choices]
    )
    notes = forms.CharField(
        label="Resolution notes",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done. The requester sees these notes.",
        error_messages={"required": "Write resolution notes: what was done."},
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label="Why reopen it?",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why it is not solved."},
    )


class CancelForm(VersionedForm):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=MAX_TEXT)


#: The form each workflow move needs (moves not listed need only the version).
MOVE_FORMS: dict[str, type[VersionedForm]] = {
    "start": VersionedForm,
    "hold": HoldForm,
    "resolve": ResolveForm,
    "close": VersionedForm,
    "reopen": ReopenForm,
    "cancel": CancelForm,
}


# --- conversation, files, links, major incidents ----------------------------------------


class ReplyForm(forms.Form):
    """A public reply (the requester sees it) or, for agents, an internal work note."""

    PUBLIC, INTERNAL = "public", "internal"

    body = forms.CharField(
        label="Reply",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write something before sending."},
    )
    visibility = forms.ChoiceField(
        choices=[(PUBLIC, "Public reply (the requester sees it)"), (INTERNAL, "Internal work note")],
        initial=PUBLIC,
        widget=forms.RadioSelect,
    )

    @property
    def is_public(self) -> bool:
        return self.cleaned_data["visibility"] == self.PUBLIC


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write something before sending."},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={"required": "Choose a file to attach.", "empty": "The file is empty."},
    )
    is_public = forms.BooleanField(label="The requester may see it", required=False, initial=True)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label="Link type", choices=LinkKind.choices)
    number = forms.CharField(label="Record number", max_length=20)

    def __init__(self, *args, visible=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.visible = visible

    def clean_number(self) -> Task:
        number = self.cleaned_data["number"].strip().upper()
        target = self.visible.filter(number=number).first() if self.visible is not None else None
        if target is None:
            raise ValidationError(f"There is no record {number} that you can see.")
        return target


class ParentForm(VersionedForm):
    """The parent incident by number; an empty number clears it."""

    parent = forms.CharField(
        label="Parent incident",
        required=False,
        max_length=20,
        help_text="Its number, e.g. INC0001001. Leave it empty to clear the parent.",
    )

    def __init__(self, *args, visible=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.visible = visible

    def clean_parent(self):
        number = self.cleaned_data["parent"].strip().upper()
        if not number:
            return None
        found = self.visible.filter(number=number).first() if self.visible is not None else None
        if found is None:
            raise ValidationError(f"There is no incident {number} that you can see.")
        return found


class ProposeMajorForm(VersionedForm):
    reason = forms.CharField(
        label="Why is this a major incident?",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this is a major incident."},
    )


class DecideMajorForm(VersionedForm):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept as major incident"), ("reject", "Reject")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=MAX_TEXT)


# --- bulk -------------------------------------------------------------------------------


class BulkForm(forms.Form):
    """One action for the selected rows; each row carries the version it was listed with."""

    ACTIONS = [
        ("assign", "Assign to group or person"),
        ("assign_me", "Assign to me"),
        ("start", "Start work"),
        ("hold", "Put on hold"),
        ("resolve", "Resolve"),
        ("cancel", "Cancel"),
        ("note", "Add a work note"),
        ("link_problem", "Link to a problem"),
    ]
    #: The inputs each action needs, checked before any row is touched.
    NEEDS = {
        "hold": ("hold_reason",),
        "resolve": ("resolution_code", "notes"),
        "note": ("note",),
        "link_problem": ("problem",),
    }

    action = forms.ChoiceField(choices=[("", "Choose an action…"), *ACTIONS])
    rows = forms.MultipleChoiceField(
        error_messages={"required": "Select at least one incident (the boxes at the start of each row)."}
    )
    group = forms.ChoiceField(label="Group", required=False)
    assignee = forms.ChoiceField(label="Person", required=False)
    hold_reason = forms.ChoiceField(
        label="Hold reason", required=False, choices=[("", "—"), *HoldReason.choices]
    )
    resolution_code = forms.ChoiceField(
        label="Resolution", required=False, choices=[("", "—"), *ResolutionCode.choices]
    )
    notes = forms.CharField(label="Resolution notes", required=False, max_length=MAX_TEXT)
    note = forms.CharField(label="Work note", required=False, max_length=MAX_TEXT)
    problem = forms.CharField(label="Problem number", required=False, max_length=20)

    def __init__(self, *args, lists: ChoiceLists, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lists = lists
        self.fields["group"].choices = lists.team_choices("Keep the group")
        self.fields["assignee"].choices = lists.person_choices("Nobody (leave unassigned)")
        # Any "pk:version" token is accepted here and parsed in clean_rows.
        self.fields["rows"].valid_value = lambda value: True

    def clean_rows(self) -> list[tuple[int, int]]:
        rows = self.cleaned_data["rows"]
        if len(rows) > BULK_LIMIT:
            raise ValidationError(f"Select at most {BULK_LIMIT} incidents at a time.")
        return [_row_key(token) for token in rows]

    def clean_group(self):
        return self.lists.pick(self.lists.teams, self.cleaned_data["group"])

    def clean_assignee(self):
        return self.lists.pick(list(self.lists.people().values()), self.cleaned_data["assignee"])

    def clean(self):
        data = super().clean()
        for name in self.NEEDS.get(data.get("action", ""), ()):
            if not str(data.get(name) or "").strip():
                self.add_error(name, f"{self.fields[name].label} is needed for this action.")
        if data.get("action") == "assign" and not (data.get("group") or data.get("assignee")):
            self.add_error("group", "Choose a group, a person or both.")
        return data


def _row_key(token: str) -> tuple[int, int]:
    try:
        pk, version = (int(part) for part in token.split(":"))
    except ValueError:
        raise ValidationError(f"“{token[:30]}” is not a row of this list.") from None
    if not (0 < pk < 2**63 and 0 < version <= MAX_VERSION):
        raise ValidationError(f"“{token[:30]}” is not a row of this list.")
    return pk, version


# --- portal -----------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the attachment service."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


URGENCY_CHOICES = [
    (str(Urgency.HIGH.value), "I cannot work at all"),
    (str(Urgency.MEDIUM.value), "I can work, but it slows me down"),
    (str(Urgency.LOW.value), "It is an inconvenience"),
]


class ReportForm(forms.Form):
    """What an end user tells us: what is wrong, where, how badly, and any screenshots."""

    title = forms.CharField(
        label="What is wrong?",
        max_length=250,
        help_text="In a few words, e.g. “Payroll shows last month's figures”.",
        error_messages={"required": "Say in a few words what is wrong."},
    )
    service = forms.CharField(
        label="Which service is affected?",
        required=False,
        max_length=150,
        help_text="Start typing to pick from the list; leave it empty if you are not sure.",
    )
    urgency = forms.TypedChoiceField(
        label="How much does it affect you?",
        choices=URGENCY_CHOICES,
        coerce=int,
        initial=str(Urgency.MEDIUM.value),
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label="Details",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you were doing, what you expected, any error message.",
    )
    attachments = MultipleFileField(
        label="Screenshots or files",
        required=False,
        help_text=f"Up to {settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB each.",
    )

    def __init__(self, *args, services: list[Service], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.services = services

    def clean_service(self) -> Service | None:
        name = self.cleaned_data["service"].strip()
        if not name:
            return None
        found = next((s for s in self.services if s.name.casefold() == name.casefold()), None)
        if found is None:
            raise ValidationError(f"We do not know a service called “{name}”. Pick one from the list.")
        return found


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How well did we solve it?",
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5."},
    )
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- the service desk: logging an incident for a caller ------------------------------------

#: How a call reached the desk; the portal and the API record their own contact types.
DESK_CONTACT_TYPES = [
    (value, label)
    for value, label in ContactType.choices
    if value not in (ContactType.PORTAL, ContactType.API)
]


def find_caller(typed: str) -> User | None:
    """The active person a desk agent typed: a user name, an e-mail address or a full name, any case.

    An e-mail address or a full name that more than one person shares finds nobody, so the
    agent is asked to pick the person from the list rather than given the wrong one.
    """
    typed = " ".join(typed.split())
    if not typed:
        return None
    people = User.objects.filter(is_active=True).select_related("profile__organisation")
    by_name = people.filter(username__iexact=typed).first()
    if by_name is not None:
        return by_name
    if "@" in typed:
        matches = list(people.filter(email__iexact=typed)[:2])
    else:
        full_name = Concat("first_name", Value(" "), "last_name")
        matches = list(people.alias(full_name=full_name).filter(full_name__iexact=typed)[:2])
    return matches[0] if len(matches) == 1 else None


class NewIncidentForm(forms.Form):
    """An agent logs an incident for a caller on the phone, at the desk or from an e-mail.

    Group and assignee are optional: left empty, the routing rules choose. The service does
    the rest of the checking (subcategory of the category, assignee in the group).
    """

    caller = forms.CharField(
        label="Caller",
        max_length=254,
        help_text="User name, e-mail address or full name; start typing to pick from the list.",
        error_messages={"required": "Who is calling? Pick the person from the list."},
    )
    contact_type = forms.ChoiceField(
        label="Contact type", choices=DESK_CONTACT_TYPES, initial=ContactType.PHONE
    )
    title = forms.CharField(
        label="Short description",
        max_length=250,
        error_messages={"required": "Say in a few words what is wrong."},
    )
    description = forms.CharField(
        label="Details", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    service = forms.CharField(label="Service", required=False, max_length=150)
    configuration_item = forms.CharField(label="Configuration item", required=False, max_length=200)
    category = forms.ChoiceField(label="Category", required=False)
    subcategory = forms.ChoiceField(label="Subcategory", required=False)
    impact = forms.TypedChoiceField(label="Impact", choices=Impact.choices, coerce=int, initial=Impact.MEDIUM)
    urgency = forms.TypedChoiceField(
        label="Urgency", choices=Urgency.choices, coerce=int, initial=Urgency.MEDIUM
    )
    assignment_group = forms.ChoiceField(label="Assignment group", required=False)
    assignee = forms.ChoiceField(label="Assignee", required=False)
    attachments = MultipleFileField(
        label="Files",
        required=False,
        help_text=f"Screenshots, logs… up to {settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB each.",
    )

    def __init__(self, *args, lists: ChoiceLists, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lists = lists
        self.fields["category"].choices = lists.category_choices(sub=False)
        self.fields["subcategory"].choices = lists.category_choices(sub=True)
        self.fields["assignment_group"].choices = lists.team_choices("Route automatically")
        self.fields["assignee"].choices = lists.person_choices("Nobody yet")

    def clean_caller(self) -> User:
        typed = self.cleaned_data["caller"]
        found = find_caller(typed)
        if found is None:
            typed = typed.strip()
            raise ValidationError(f"There is no active person called “{typed}”. Pick one from the list.")
        return found

    def clean_service(self) -> Service | None:
        name = self.cleaned_data["service"].strip()
        if not name:
            return None
        found = next((s for s in self.lists.services if s.name.casefold() == name.casefold()), None)
        if found is None:
            raise ValidationError(f"There is no service called “{name}”. Pick one from the list.")
        return found

    def clean_configuration_item(self) -> ConfigurationItem | None:
        name = self.cleaned_data["configuration_item"].strip()
        if not name:
            return None
        found = ConfigurationItem.objects.filter(name__iexact=name).first()
        if found is None:
            raise ValidationError(f"There is no configuration item called “{name}”.")
        return found

    def clean_category(self):
        return self.lists.pick(self.lists.categories, self.cleaned_data["category"])

    def clean_subcategory(self):
        return self.lists.pick(self.lists.categories, self.cleaned_data["subcategory"])

    def clean_assignment_group(self):
        return self.lists.pick(self.lists.teams, self.cleaned_data["assignment_group"])

    def clean_assignee(self):
        return self.lists.pick(list(self.lists.people().values()), self.cleaned_data["assignee"])

    def clean(self):
        data = super().clean()
        assignee, group = data.get("assignee"), data.get("assignment_group")
        if assignee is not None and group is None:
            # The assignee's first team (as in the list), so routing does not move the work away.
            data["assignment_group"] = next(
                (team for team, users in self.lists.members if any(u.pk == assignee.pk for u in users)), None
            )
        return data

    def service_arguments(self) -> dict:
        """The cleaned values as `create_incident` takes them."""
        data = self.cleaned_data
        names = (
            "title",
            "description",
            "service",
            "configuration_item",
            "category",
            "subcategory",
            "impact",
            "urgency",
            "contact_type",
            "assignment_group",
            "assignee",
        )
        return {"requester": data["caller"], **{name: data[name] for name in names}}

"""Forms of the change pages. They only parse input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse

from changes.choices import ChangeTaskType, CloseCode, RaisableChangeType
from changes.models import StandardChangeTemplate
from changes.pickers import PickerWidget
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core import roles
from itsm.core.choices import Impact, Urgency
from itsm.core.models import Team

User = get_user_model()
TEXT = 20_000
ACTIVE_TEAMS = Team.objects.filter(is_active=True).order_by("name")
ACTIVE_USERS = User.objects.filter(is_active=True).order_by("username")


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class WindowInput(forms.DateTimeInput):
    input_type = "datetime-local"
    format = "%Y-%m-%dT%H:%M"

    def __init__(self, **kwargs):
        super().__init__(format=self.format, **kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    """A person by name (user name beside it: two people may share a name)."""

    @staticmethod
    def name_of(user) -> str:
        full = user.get_full_name()
        return f"{full} ({user.get_username()})" if full else user.get_username()

    def label_from_instance(self, obj) -> str:
        return self.name_of(obj)


def people_with_roles(wanted):
    """Active people holding any of the roles, by name (a select's letters jump to them)."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[str(role) for role in wanted])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def assignees_of(group) -> list:
    """Staff who may be assigned: the members of `group` (a Team, its id, or None: all staff)."""
    people = people_with_roles(roles.STAFF_ROLES)
    group_id = getattr(group, "pk", group)
    if group_id in (None, ""):
        return list(people)
    return list(people.filter(pk__in=Team.objects.filter(pk=group_id).values("members")))


def assignee_choices(group) -> list[tuple]:
    try:
        people = assignees_of(group)
    except (TypeError, ValueError):  # a tampered group id: the field's own validation answers
        people = assignees_of(None)
    return [("", "---------"), *[(person.pk, PersonChoiceField.name_of(person)) for person in people]]


class ChangeForm(forms.Form):
    """Raise a normal or emergency change, or edit one (the plan only before the CAB)."""

    title = forms.CharField(max_length=250)
    change_type = forms.ChoiceField(choices=RaisableChangeType.choices, initial=RaisableChangeType.NORMAL)
    description = forms.CharField(widget=_area(3), required=False, max_length=TEXT)
    reason = forms.CharField(label="Reason / justification", widget=_area(2), required=False, max_length=TEXT)
    implementation_plan = forms.CharField(widget=_area(4), required=False, max_length=TEXT)
    backout_plan = forms.CharField(label="Back-out plan", widget=_area(3), required=False, max_length=TEXT)
    test_plan = forms.CharField(widget=_area(2), required=False, max_length=TEXT)
    planned_start = forms.DateTimeField(widget=WindowInput(), required=False)
    planned_end = forms.DateTimeField(widget=WindowInput(), required=False)
    affected_services = forms.ModelMultipleChoiceField(
        Service.objects.order_by("name"), required=False, widget=PickerWidget("services")
    )
    affected_cis = forms.ModelMultipleChoiceField(
        ConfigurationItem.objects.order_by("name"),
        required=False,
        label="Affected CIs",
        widget=PickerWidget("cis"),
    )
    impact = forms.TypedChoiceField(choices=Impact.choices, coerce=int, initial=Impact.MEDIUM)
    urgency = forms.TypedChoiceField(choices=Urgency.choices, coerce=int, initial=Urgency.MEDIUM)
    assignment_group = forms.ModelChoiceField(
        Team.objects.filter(is_active=True).order_by("name"), required=False
    )
    assignee = PersonChoiceField(
        User.objects.none(), required=False, help_text="Someone in the assignment group."
    )
    change_manager = PersonChoiceField(User.objects.none(), required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, standard: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if standard:  # a standard change keeps its type: it came from a template
            del self.fields["change_type"]
        # Only people who may hold the role are offered (not every account, requesters included);
        # once a group is chosen, only its members (the list follows the group over htmx).
        self.fields["assignee"].queryset = people_with_roles(roles.STAFF_ROLES)
        self.fields["change_manager"].queryset = people_with_roles({roles.Role.CHANGE_MANAGER})
        group = self.data.get("assignment_group") if self.is_bound else self.initial.get("assignment_group")
        choices = assignee_choices(group)
        current = None if self.is_bound else self.initial.get("assignee")
        if current is not None and getattr(current, "pk", current) not in {pk for pk, _ in choices}:
            choices.append((current.pk, PersonChoiceField.name_of(current)))  # never dropped unseen
        self.fields["assignee"].choices = choices
        self.fields["assignment_group"].widget.attrs.update(
            {
                "hx-get": reverse("change:assignees"),
                "hx-trigger": "change",
                "hx-target": "#id_assignee",
                "hx-include": "#id_assignee",
            }
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end <= start:
            self.add_error("planned_end", "The planned end must be after the planned start.")
        group, assignee = data.get("assignment_group"), data.get("assignee")
        if group and assignee and not group.members.filter(pk=assignee.pk).exists():
            self.add_error("assignee", f"{PersonChoiceField.name_of(assignee)} is not in {group.name}.")
        return data

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("expected_version", None)
        return data


class TemplateChangeForm(forms.Form):
    template = forms.ModelChoiceField(StandardChangeTemplate.objects.filter(is_active=True).order_by("name"))
    planned_start = forms.DateTimeField(widget=WindowInput(), required=False)


class MoveForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    close_code = forms.ChoiceField(choices=[("", "—"), *CloseCode.choices], required=False)
    notes = forms.CharField(required=False, max_length=TEXT)
    reason = forms.CharField(required=False, max_length=5000)
    override_reason = forms.CharField(required=False, max_length=2000)


class ChangeTaskForm(forms.Form):
    title = forms.CharField(max_length=250)
    task_type = forms.ChoiceField(choices=ChangeTaskType.choices, initial=ChangeTaskType.IMPLEMENTATION)
    order = forms.IntegerField(required=False, min_value=1, max_value=999, help_text="Leave empty: any time.")
    assignment_group = forms.ModelChoiceField(
        Team.objects.filter(is_active=True).order_by("name"), required=False
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(required=False, max_length=TEXT)


class ReviewForm(forms.Form):
    findings = forms.CharField(widget=_area(4), max_length=TEXT)
    lessons_learned = forms.CharField(widget=_area(3), required=False, max_length=TEXT)
    objectives_met = forms.BooleanField(required=False, initial=True, label="The change met its objectives")
    action = forms.CharField(label="Follow-up action", required=False, max_length=500)
    action_owner = forms.ModelChoiceField(
        User.objects.filter(is_active=True).order_by("username"), required=False, label="Owner"
    )
    action_due = forms.DateField(required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"}))


class NumberForm(forms.Form):
    number = forms.CharField(max_length=20)


class CabDateForm(forms.Form):
    cab_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def risk_form(questions, data=None, initial=None) -> forms.Form:
    """One radio group per active question; the choices are its answers (weights shown)."""
    form = forms.Form(data)
    for question in questions:
        form.fields[f"q{question.pk}"] = forms.TypedChoiceField(
            label=question.text,
            help_text=question.help_text,
            choices=[(a.pk, a.text) for a in question.answers.all()],
            coerce=int,
            widget=forms.RadioSelect,
            initial=(initial or {}).get(question.pk),
        )
    return form

"""The service catalog (categories, items, their forms, approval and fulfilment plans) and the
records ordering creates: requests (REQ), requested items (RITM) and fulfilment tasks (TASK)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from catalog.choices import ApprovalRule, ApproverKind, Audience, ConditionEffect, VariableType
from catalog.querysets import CatalogItemQuerySet, CategoryQuerySet, RequestItemQuerySet, RequestQuerySet
from itsm.core.models import Task
from itsm.core.querysets import TaskQuerySet


class Category(models.Model):
    """A shelf of the catalog; categories nest (Hardware / Laptops)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    icon = models.CharField(max_length=8, blank=True, help_text="One emoji or symbol shown on the card.")
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.parent} / {self.name}" if self.parent_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", args=[self.slug])


class CatalogItem(models.Model):
    """Something people can order. Its form, approvals and fulfilment plan are edited in the
    admin; each save publishes a new `ItemVersion`, and requests keep the version they used."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="catalog_items"
    )
    short_description = models.CharField(max_length=250)
    description = models.TextField(blank=True, help_text="Markdown; sanitised when shown.")
    icon = models.CharField(max_length=8, blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    roles = models.ManyToManyField(
        "auth.Group", blank=True, related_name="catalog_items", help_text="When the audience is roles."
    )
    teams = models.ManyToManyField("core.Team", blank=True, related_name="catalog_items")
    delivery_time = models.DurationField(help_text="Expected delivery, e.g. 3 00:00:00 for three days.")
    assignment_group = models.ForeignKey(
        "core.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Owns the requested item (fulfilment tasks have their own groups).",
    )
    allow_quantity = models.BooleanField(default=False, help_text="People may order several at once.")
    max_quantity = models.PositiveSmallIntegerField(default=10)
    allow_on_behalf = models.BooleanField(default=True, help_text="May be ordered for someone else.")
    standard_change = models.BooleanField(
        default=False,
        help_text="Fulfilled by a pre-approved standard change instead of fulfilment tasks.",
    )
    is_active = models.BooleanField(default=True, help_text="Retired items are no longer offered.")
    order_count = models.PositiveIntegerField(default=0, editable=False, help_text="For 'popular items'.")
    current_version = models.ForeignKey(
        "ItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CatalogItemQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["-order_count", "id"], name="catalog_popular_idx", condition=Q(is_active=True)
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:item", args=[self.slug])


class Variable(models.Model):
    """One field of an item's form. Conditions name another variable of the same item."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="variables")
    name = models.SlugField(max_length=60, help_text="Key in submitted values, e.g. laptop_model.")
    label = models.CharField(max_length=150)
    type = models.CharField(max_length=20, choices=VariableType.choices, default=VariableType.TEXT)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    default = models.CharField(max_length=300, blank=True)
    choices = models.TextField(blank=True, help_text="One choice per line: value|Label (or just a value).")
    min_value = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, help_text="Numbers: smallest; text: shortest."
    )
    max_value = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, help_text="Numbers: largest; text: longest."
    )
    pattern = models.CharField(
        max_length=200, blank=True, help_text="Text must match this regular expression."
    )
    condition_variable = models.SlugField(max_length=60, blank=True, help_text="Name of the variable tested.")
    condition_value = models.CharField(max_length=150, blank=True)
    condition_effect = models.CharField(
        max_length=10, choices=ConditionEffect.choices, blank=True, default=ConditionEffect.SHOW
    )
    order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="catalog_variable_unique")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        from catalog.forms_engine import check_variable_definition

        check_variable_definition(self)


class ApprovalStep(models.Model):
    """One stage of an item's approval policy; stages run in `order`, one after the other."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="approval_steps")
    order = models.PositiveIntegerField(default=10)
    name = models.CharField(max_length=100, blank=True)
    approver = models.CharField(max_length=10, choices=ApproverKind.choices, default=ApproverKind.MANAGER)
    team = models.ForeignKey("core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=10, choices=ApprovalRule.choices, default=ApprovalRule.ANY)
    required = models.PositiveSmallIntegerField(null=True, blank=True, help_text="For the 'count' rule.")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name or self.get_approver_display()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.approver == ApproverKind.TEAM and not self.team_id:
            raise ValidationError({"team": "Choose the team whose members approve."})
        if self.rule == ApprovalRule.COUNT and not self.required:
            raise ValidationError({"required": "Say how many approvals are needed."})


class FulfilmentStep(models.Model):
    """A task of the fulfilment plan. Steps with the same `order` run in parallel; a higher
    order starts when every task of the lower one is done. A condition skips the step unless
    the named variable has the value."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="fulfilment_steps")
    order = models.PositiveIntegerField(default=10)
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    assignment_group = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+")
    condition_variable = models.SlugField(max_length=60, blank=True)
    condition_value = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class ItemVersion(models.Model):
    """A frozen copy of an item's definition (form, approvals, plan) as it was when published."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["item", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="catalog_item_version_unique")]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"

    @property
    def variables(self) -> list[dict]:
        return self.snapshot.get("variables", [])


class Request(Task):
    """REQ: one submission, holding one requested item per line of the cart."""

    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opened_requests"
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-task_ptr_id"]


class RequestItem(Task):
    """RITM: one ordered catalog item, with the version and the values it was ordered with."""

    parent_request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="items")
    catalog_item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="request_items")
    item_version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="request_items")
    quantity = models.PositiveSmallIntegerField(default=1)
    values = models.JSONField(default=dict, blank=True)
    stage = models.PositiveIntegerField(null=True, blank=True, help_text="Fulfilment stage being worked.")
    close_reason = models.TextField(blank=True)

    objects = RequestItemQuerySet.as_manager()

    class Meta:
        ordering = ["task_ptr_id"]


class FulfilmentTask(Task):
    """TASK: one piece of fulfilment work for a group, generated from the item's plan."""

    request_item = models.ForeignKey(RequestItem, on_delete=models.CASCADE, related_name="tasks")
    stage = models.PositiveIntegerField()
    instructions = models.TextField(blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-task_ptr_id"]


class RequestItemDay(models.Model):
    """Daily rollup of the Requests board (`catalog.rollups`): one row per local day and dimension.

    Requested-side columns count items by the day they were opened; fulfilled-side columns by
    the day they were fulfilled; approval columns by the day their fulfilment approval was
    decided. Team, service and catalog item are plain ids, not foreign keys: a rollup row is a
    count, and retiring a team or an item must neither cascade into history nor be blocked by it.
    """

    day = models.DateField()
    catalog_item_id = models.BigIntegerField()
    team_id = models.BigIntegerField(null=True)
    service_id = models.BigIntegerField(null=True)
    priority = models.PositiveSmallIntegerField()
    requested = models.PositiveIntegerField(default=0)
    fulfilled = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0, help_text="Fulfilled within the item's delivery time.")
    fulfil_seconds = models.FloatField(default=0)
    decided = models.PositiveIntegerField(default=0, help_text="Fulfilment approvals decided that day.")
    approval_seconds = models.FloatField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="catalog_req_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} item {self.catalog_item_id}"


class RequestRollupState(models.Model):
    """One row: how fresh the Requests rollup is. `refreshed_at` is the watermark of the last refresh."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    days_last_run = models.PositiveIntegerField(default=0)
    time_zone = models.CharField(max_length=64, blank=True, help_text="The zone the days were cut in.")

    def __str__(self) -> str:
        return f"Request rollup refreshed at {self.refreshed_at}"

"""Change requests and versions: how a record changes once many hands may propose and named
assurers decide.

A change request holds the proposed record as an ORUK 3.0 service document (the one mapping in
`directory.oruk`), the `last_modified` of the record it was based on (a stale base is refused at
approval) and who proposed it from where. Its states move only along `TRANSITIONS`; the database
refuses any other move, because every change of `state` also records `previous_state` and the
pair must be one of the table's rows. A version is left by every change applied to a record.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.models import TimestampedModel
from directory.models import Organization, Service


class Source(models.TextChoices):
    PROVIDER = "provider", "Provider"
    ASSURER = "assurer", "Assurer"
    FRONTLINE = "frontline", "Frontline worker's suggestion"
    PUBLIC = "public", "Report from the public"
    IMPORT = "import", "Import"
    RESTORE = "restore", "Restored version"
    REVIEW = "review", "Periodic review"


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for assurance"
    MORE_INFORMATION = "more_information", "More information asked for"
    APPROVED = "approved", "Approved"
    PARTLY_APPROVED = "partly_approved", "Partly approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The only moves a change request can make: (from, to). "" is "just created".
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("", State.DRAFT),
        ("", State.SUBMITTED),
        (State.DRAFT, State.SUBMITTED),
        (State.DRAFT, State.WITHDRAWN),
        (State.SUBMITTED, State.APPROVED),
        (State.SUBMITTED, State.PARTLY_APPROVED),
        (State.SUBMITTED, State.REJECTED),
        (State.SUBMITTED, State.MORE_INFORMATION),
        (State.SUBMITTED, State.WITHDRAWN),
        (State.MORE_INFORMATION, State.SUBMITTED),
        (State.MORE_INFORMATION, State.WITHDRAWN),
    }
)
OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.MORE_INFORMATION)
DECIDED_STATES = (State.APPROVED, State.PARTLY_APPROVED, State.REJECTED)


def can_move(current: str, target: str) -> bool:
    return (current, target) in TRANSITIONS


def _transition_allowed() -> Q:
    allowed = Q()
    for before, after in sorted(TRANSITIONS):
        allowed |= Q(previous_state=before, state=after)
    return allowed


class Subject(models.TextChoices):
    """What a change request changes: a service (or proposes a new one), or an organisation's
    own details (its name, description, contact details: never its services)."""

    SERVICE = "service", "Service"
    ORGANIZATION = "organization", "Organisation's details"


class ReportPart(models.TextChoices):
    """What a member of the public says is wrong with a listing."""

    PHONE = "phone", "Phone number"
    ADDRESS = "address", "Address"
    TIMES = "times", "Opening times"
    CLOSED = "closed", "The service has closed"
    OTHER = "other", "Something else"


class ChangeRequestQuerySet(models.QuerySet["ChangeRequest"]):
    def open(self) -> ChangeRequestQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def waiting(self) -> ChangeRequestQuerySet:
        """Waiting for an assurer's decision."""
        return self.filter(state=State.SUBMITTED)

    def for_service(self, service: Service) -> ChangeRequestQuerySet:
        return self.filter(service=service)

    def urgent_first(self) -> ChangeRequestQuerySet:
        """Public reports and frontline suggestions first (someone was misled), then oldest."""
        urgency = models.Case(
            models.When(source=Source.PUBLIC, then=0),
            models.When(source=Source.FRONTLINE, then=1),
            default=2,
            output_field=models.IntegerField(),
        )
        return self.alias(urgency=urgency).order_by("urgency", "submitted_at", "pk")


class ChangeRequest(TimestampedModel):
    """A proposed change to one service (or a proposed new service, when `service` is empty), or
    to an organisation's own details (`subject` "organization": `proposed` is then an ORUK
    organisation document without its services)."""

    subject = models.CharField(max_length=20, choices=Subject.choices, default=Subject.SERVICE)
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="change_requests",
    )
    # The organisation a new service is proposed for (the service's, for existing ones; the one
    # changed, for an organisation's details). Its requests go with it: an organisation can only
    # be deleted without services, and a request about no record would mean nothing.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    previous_state = models.CharField(max_length=20, blank=True, editable=False)
    proposed = models.JSONField(
        help_text="The proposed service (or organisation) as an ORUK 3.0 document"
    )
    # The record the proposal started from: its document (to show what the proposer changed)
    # and its last_modified (approval refuses a base that has moved on).
    base = models.JSONField(default=dict, blank=True)
    base_modified = models.DateTimeField(null=True, blank=True)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_requests",
    )
    proposer_name = models.CharField(max_length=100, blank=True)
    proposer_email = models.EmailField(blank=True)
    note = models.TextField(blank=True, help_text="What the proposer says about the change")
    report_part = models.CharField(max_length=20, choices=ReportPart.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)
    accepted_fields = models.JSONField(default=list, blank=True)
    personal_data_confirmed = models.BooleanField(default=False)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="cr_state_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="cr_source_valid"),
            models.CheckConstraint(condition=_transition_allowed(), name="cr_transition_allowed"),
            # A later edit by the same person updates their open request instead of adding one.
            models.UniqueConstraint(
                fields=["service", "proposer"],
                condition=Q(state__in=OPEN_STATES, service__isnull=False, proposer__isnull=False),
                name="cr_one_open_per_service_and_proposer",
            ),
            models.CheckConstraint(
                condition=Q(service__isnull=False) | Q(organization__isnull=False),
                name="cr_about_a_service_or_organisation",
            ),
            models.CheckConstraint(
                condition=Q(subject__in=Subject.values), name="cr_subject_valid"
            ),
            models.CheckConstraint(
                condition=Q(subject=Subject.SERVICE)
                | Q(subject=Subject.ORGANIZATION, organization__isnull=False, service__isnull=True),
                name="cr_organisation_change_has_no_service",
            ),
            models.UniqueConstraint(
                fields=["organization", "proposer"],
                condition=Q(
                    state__in=OPEN_STATES,
                    subject=Subject.ORGANIZATION,
                    proposer__isnull=False,
                ),
                name="cr_one_open_per_organisation_and_proposer",
            ),
        ]
        indexes = [models.Index(fields=["state", "service"], name="cr_state_service_idx")]

    def __str__(self) -> str:
        return f"Change to {self.title}"

    @property
    def title(self) -> str:
        if self.is_organization_change and self.organization is not None:
            return self.organization.name
        if self.service_id is not None and self.service is not None:
            return self.service.name
        return self.proposed.get("name") or "a new service"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_new_service(self) -> bool:
        return self.subject == Subject.SERVICE and self.service_id is None

    @property
    def is_organization_change(self) -> bool:
        return self.subject == Subject.ORGANIZATION

    @property
    def contact_email(self) -> str:
        """Where the outcome goes: the proposer's account, else the address they left."""
        if self.proposer is not None and self.proposer.email:
            return self.proposer.email
        return self.proposer_email

    def move_to(self, state: str) -> None:
        """Change state (unsaved); a move outside TRANSITIONS is a programming error."""
        if not can_move(self.state if self.pk else "", state):
            raise ValueError(f"A change request cannot go from {self.state} to {state}")
        self.previous_state = self.state if self.pk else ""
        self.state = state


class ServiceVersion(models.Model):
    """One applied change to a service: what the record was afterwards, and what changed."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField(help_text="The service afterwards, as an ORUK 3.0 document")
    changes = models.JSONField(default=dict, help_text="{field: [before, after]}")
    source = models.CharField(max_length=20, choices=Source.choices)
    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="versions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.service_id}"


# --- periodic review ------------------------------------------------------------------------


class ReviewInterval(TimestampedModel):
    """How often services are reviewed when the default (PORTAL_REVIEW_INTERVAL_DAYS) is not
    right: for the services allocated to one partner, or for services of one LGA service type.
    Where several apply the shortest wins: the strictest policy is the one someone chose."""

    partner = models.OneToOneField(
        "accounts.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_interval",
        help_text="Services allocated to this partner for assurance",
    )
    service_type = models.OneToOneField(
        "directory.TaxonomyTerm",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_interval",
        help_text="Services of this LGA service type",
    )
    days = models.PositiveIntegerField(
        "review every (days)",
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text="Between 7 and 730 days",
    )

    class Meta:
        ordering = ["partner__name", "service_type__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=False, service_type__isnull=True)
                | Q(partner__isnull=True, service_type__isnull=False),
                name="review_interval_for_partner_or_type",
            ),
            models.CheckConstraint(
                condition=Q(days__gte=7, days__lte=730), name="review_interval_days_range"
            ),
        ]

    def __str__(self) -> str:
        subject = self.partner or self.service_type
        return f"{subject}: every {self.days} days"


class ServiceReview(TimestampedModel):
    """When a service is next due for review: its assured date plus the interval its policy
    gives. Kept by `workflow.reviews` whenever the assured date, status, allocation, service
    types or a policy change (and recomputed nightly), so lists filter and sort on an index.
    `due_date` is empty when no review is due: never assured, or not active."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, primary_key=True, related_name="review"
    )
    due_date = models.DateField(null=True, blank=True, db_index=True)
    interval_days = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"Review of {self.service_id} due {self.due_date}"


class ReminderThreshold(models.TextChoices):
    DUE_SOON = "due_soon", "Due within 14 days"
    OVERDUE = "overdue", "Overdue"
    LONG_OVERDUE = "long_overdue", "Overdue by 30 days or more"


class ReviewReminder(TimestampedModel):
    """One reminder sent to one person about one service's review falling due on one date: a
    rerun finds it and sends nothing again; a new due date (after a review) starts afresh.
    A provider's reminder carries the one-click "still accurate" link, used once (`used_at`)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    threshold = models.CharField(max_length=20, choices=ReminderThreshold.choices)
    due_date = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "threshold", "due_date", "recipient"],
                name="review_reminder_once",
            ),
            models.CheckConstraint(
                condition=Q(threshold__in=ReminderThreshold.values),
                name="review_reminder_threshold_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_threshold_display()} reminder for {self.service_id}"

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from directory.validators import validate_byday, validate_bymonthday

from .base import RecordModel
from .location import Location
from .organization import Organization


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        return self.filter(status=ServiceStatus.ACTIVE)

    def for_organization(self, organization: Organization) -> ServiceQuerySet:
        return self.filter(organization=organization)

    def modified_after(self, moment) -> ServiceQuerySet:
        return self.filter(last_modified__gte=moment)


class Service(RecordModel):
    """A service (ORUK `service`). `last_modified` moves whenever it or a nested record changes."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    fees = models.TextField(blank=True)
    accreditations = models.TextField(blank=True)
    minimum_age = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    maximum_age = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    assured_date = models.DateField(null=True, blank=True, db_index=True)
    assurer_email = models.EmailField(blank=True)
    alert = models.TextField(blank=True)
    last_modified = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ServiceQuerySet.as_manager()

    class Meta(RecordModel.Meta):
        # Object permissions granted per service by accounts (rules and ownership), beside the
        # built-in change_service; the directory itself never checks them.
        permissions = [
            ("view_draft_service", "Can see unpublished changes to a service"),
            ("submit_service", "Can submit a service for assurance"),
            ("assure_service", "Can assure a service"),
            ("suggest_service", "Can suggest a change to a service"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ServiceStatus.values), name="service_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True) | models.Q(minimum_age__gte=0),
                name="service_minimum_age_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_ordered",
            ),
        ]
        # The staff lists page through services by name: with this index PostgreSQL reads the
        # first 50 in order instead of sorting every service.
        indexes = [models.Index(fields=["name", "id"], name="service_name_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, touch: bool = True, **kwargs) -> None:
        """Save; `touch=False` keeps `last_modified` as set (imports carry the source's value)."""
        if touch:
            self.last_modified = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "last_modified"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.minimum_age > self.maximum_age
        ):
            raise ValidationError(
                {"maximum_age": "Maximum age must be the same as or more than the minimum age"}
            )


class ServiceArea(RecordModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=500, blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(
        max_length=20, blank=True, help_text="geojson, topojson, kml or text"
    )
    uri = models.CharField(max_length=500, blank=True)
    service_area = models.TextField(blank=True, help_text="A description of the area")
    # GSS code of a local authority the area covers, used for postcode coverage checks.
    local_authority_code = models.CharField(max_length=9, blank=True, db_index=True)

    def __str__(self) -> str:
        return self.name or self.local_authority_code or "Service area"


class ServiceAtLocation(RecordModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "service at location"
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="service_at_location_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", "Weekly"
    MONTHLY = "MONTHLY", "Monthly"


class Schedule(RecordModel):
    """When a service runs, as an RFC 5545 recurrence (ORUK `schedule`)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    freq = models.CharField(max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=100, blank=True, validators=[validate_byday])
    bymonthday = models.CharField(max_length=100, blank=True, validators=[validate_bymonthday])
    description = models.TextField(blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = models.URLField(max_length=500, blank=True)
    attending_type = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)

    class Meta(RecordModel.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(freq="") | models.Q(freq__in=Frequency.values),
                name="schedule_freq_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(service__isnull=False)
                | models.Q(service_at_location__isnull=False)
                | models.Q(location__isnull=False),
                name="schedule_has_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_to")),
                name="schedule_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60] or f"{self.get_freq_display()} {self.byday}".strip()

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": "Valid to must be the same as or after valid from"})
        if self.interval and not self.freq:
            raise ValidationError({"freq": "Select how often the service runs"})


class CostOption(RecordModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3, blank=True)

    class Meta(RecordModel.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="cost_option_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.option or str(self.amount or "")


class Funding(RecordModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="funding"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="funding"
    )
    source = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.source[:60]


class Contact(RecordModel):
    """A role or team to contact; ORUK open data carries no personal data by our policy."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    department = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name or self.title or "Contact"


class PhoneType(models.TextChoices):
    VOICE = "voice", "Voice"
    TEXT = "text", "Text"
    TEXTPHONE = "textphone", "Textphone"
    FAX = "fax", "Fax"
    CELL = "cell", "Mobile"
    VIDEO = "video", "Video"
    PAGER = "pager", "Pager"


class Phone(RecordModel):
    """A phone number; ORUK 3.0 declares `phone` but nests it nowhere, so we nest it as HSDS 3.0."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(max_length=50)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, choices=PhoneType.choices, blank=True)
    description = models.TextField(blank=True)

    class Meta(RecordModel.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(service__isnull=False)
                | models.Q(organization__isnull=False)
                | models.Q(location__isnull=False)
                | models.Q(contact__isnull=False),
                name="phone_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Language(RecordModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=10, blank=True, help_text="ISO 639 code, e.g. en, cy")
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name or self.code or "Language"


class Url(RecordModel):
    """A further web address for a service or organisation (HSDS 3.0 `url`)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="additional_urls"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="additional_urls",
    )
    label = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=500)

    class Meta(RecordModel.Meta):
        verbose_name = "URL"

    def __str__(self) -> str:
        return self.label or self.url

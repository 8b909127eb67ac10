from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from directory.validators import validate_country_code

from .base import RecordModel


class LocationType(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    POSTAL = "postal", "Postal"
    VIRTUAL = "virtual", "Virtual"


class Location(RecordModel):
    """Where a service is delivered (ORUK `location`); WGS84 coordinates."""

    location_type = models.CharField(max_length=20, choices=LocationType.choices)
    name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = models.CharField(max_length=100, blank=True, help_text="e.g. a UPRN")
    external_identifier_type = models.CharField(max_length=50, blank=True)
    # GSS code of the local authority the location's postcode lies in (from the ONS directory).
    local_authority_code = models.CharField(max_length=9, blank=True, db_index=True)
    # Not an ORUK field: it never leaves in a document, it decides what the open data shows.
    is_confidential = models.BooleanField(
        "confidential address",
        default=False,
        help_text=(
            "A refuge, for example: the open data shows only its postcode district and "
            "coordinates rounded to about a kilometre. Staff pages still show the full address."
        ),
    )

    class Meta(RecordModel.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(location_type__in=LocationType.values),
                name="location_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="location_coordinates_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_location_type_display()} location {self.id}"

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError("Enter both latitude and longitude, or neither")


class Address(RecordModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=255, blank=True)
    address_1 = models.CharField(max_length=255)
    address_2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, validators=[validate_country_code])
    address_type = models.CharField(max_length=20, choices=LocationType.choices)

    class Meta(RecordModel.Meta):
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(address_type__in=LocationType.values),
                name="address_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address_1, self.city, self.postal_code) if p)

    def save(self, *args: object, **kwargs: object) -> None:
        """Save, then give the location coordinates from this postcode if it has none."""
        super().save(*args, **kwargs)
        location = self.location
        if location.latitude is not None:
            return
        # Imported here, as in `clean`: geo loads pyproj, which most requests never need.
        from directory.geo import fill_location_coordinates

        if not fill_location_coordinates(location):
            return
        fields = ("latitude", "longitude", "local_authority_code")
        # Writing only these fields cannot overwrite other edits made to the location since it
        # was read, and the null check leaves alone coordinates that someone set meanwhile.
        updated = Location.objects.filter(pk=location.pk, latitude__isnull=True).update(
            updated_at=timezone.now(), **{field: getattr(location, field) for field in fields}
        )
        if not updated:
            location.refresh_from_db(fields=fields)

    save.alters_data = True

    def clean(self) -> None:
        if self.country == "GB" and self.postal_code:
            from directory.geo import InvalidPostcode, normalise_postcode

            try:
                self.postal_code = normalise_postcode(self.postal_code)
            except InvalidPostcode as exc:
                raise ValidationError({"postal_code": str(exc)}) from exc


class Accessibility(RecordModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    accessibility = models.TextField(blank=True)

    class Meta(RecordModel.Meta):
        verbose_name_plural = "accessibility"

    def __str__(self) -> str:
        return (self.description or self.accessibility or "Accessibility")[:60]

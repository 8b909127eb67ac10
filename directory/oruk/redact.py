"""What the open data shows of a confidential location (a refuge, for example).

A confidential location keeps its full record in the directory; only documents that leave as open
data (the feed's snapshots, `export_oruk`) pass through `redact_confidential`. Its addresses keep
only the postcode district (the outward code: "HU9" of "HU9 3AB"), the city, region and country;
its coordinates are rounded to two decimal places (about a kilometre). Whatever else could lead
someone to the door is left out:

- `external_identifier` (a UPRN names the very building) and its type;
- the location's description, its accessibility entries and the pairing's description: free text
  that often gives directions ("the side door on Wellington Lane", a map link);
- the location's own phones: a building's landline can be looked up to its address. The
  service's phones and contacts stay: they are how people reach a refuge.

The result still meets the ORUK 3.0 schemas (`address_1`, `postal_code` and the rest stay, with
neutral values where nothing can be kept). Never apply this to `service_document` as the workflow
reads it: a proposal based on a redacted document would write the withheld address back over
the real one when approved.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

ADDRESS_WITHHELD = "Address withheld"
POSTCODE_WITHHELD = "Withheld"
# Two decimal places of a degree: about 1.1 km north to south, 0.7 km east to west in England.
COORDINATE_PLACES = 2

# An outward code on its own (a postcode already cut to its district), e.g. HU9, SW1A, GIR.
_OUTWARD = re.compile(r"^(?:[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]?|GIR)$")
# Kept from each address: the parts that name an area, not a place.
_ADDRESS_KEPT = ("id", "city", "region", "state_province", "country", "address_type", "attributes")
# Left out of the location itself (see the module docstring).
_LOCATION_DROPPED = (
    "description",
    "external_identifier",
    "external_identifier_type",
    "accessibility",
    "phones",
)


def postcode_district(postcode: str) -> str:
    """The postcode district (outward code) of a UK postcode: "hu9 3ab" -> "HU9". A district
    given alone is kept; anything else (a foreign or malformed code) gives "" since no part of
    it is known to be coarse."""
    # Imported here, as elsewhere: geo loads pyproj, which most requests never need.
    from directory.geo import InvalidPostcode, normalise_postcode

    try:
        return normalise_postcode(postcode).split(" ")[0]
    except InvalidPostcode:
        compact = "".join(postcode.split()).upper()
        return compact if _OUTWARD.fullmatch(compact) else ""


def rounded_coordinate(value: float | int | None) -> float | None:
    """A latitude or longitude rounded to about a kilometre (None stays None)."""
    return None if value is None else round(float(value), COORDINATE_PLACES)


def redacted_address(address: dict[str, Any]) -> dict[str, Any]:
    out = {key: address[key] for key in _ADDRESS_KEPT if key in address}
    out["address_1"] = ADDRESS_WITHHELD
    out["postal_code"] = postcode_district(address.get("postal_code") or "") or POSTCODE_WITHHELD
    return out


def redacted_location(location: dict[str, Any]) -> dict[str, Any]:
    out = {key: value for key, value in location.items() if key not in _LOCATION_DROPPED}
    for key in ("latitude", "longitude"):
        if key in out:
            out[key] = rounded_coordinate(out[key])
    if "addresses" in out:
        out["addresses"] = [redacted_address(a) for a in out["addresses"]]
    return out


def redact_confidential(document: Any, confidential_ids: Collection[Any]) -> Any:
    """`document` (a service, service at location, location or organisation document, a list
    item, or a list of them) with every location whose id is in `confidential_ids` redacted.

    Pure and cheap: with no confidential ids the document itself comes back, and otherwise only
    the objects on the way to a confidential location are copied."""
    if not confidential_ids:
        return document
    ids = {str(pk) for pk in confidential_ids}
    return _walk(document, ids)


def _is_confidential_location(value: Any, ids: set[str]) -> bool:
    # `location_type` is required of every ORUK location, and ids are UUIDs: an object with both
    # is that location, wherever it is nested.
    return isinstance(value, dict) and "location_type" in value and value.get("id") in ids


def _walk(value: Any, ids: set[str]) -> Any:
    if isinstance(value, list):
        items = [_walk(item, ids) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if not isinstance(value, dict):
        return value
    if _is_confidential_location(value, ids):
        return redacted_location(value)
    out = {key: _walk(item, ids) for key, item in value.items()}
    if "description" in out and (
        str(value.get("location_id")) in ids
        or _is_confidential_location(value.get("location"), ids)
    ):
        # A service's pairing with the location: its own free text may give directions too.
        del out["description"]
    changed = len(out) != len(value) or any(out[key] is not value[key] for key in out)
    return out if changed else value

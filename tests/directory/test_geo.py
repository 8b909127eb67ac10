from __future__ import annotations

import pytest

from directory import geo
from directory.geo import (
    InvalidPostcode,
    PostcodePoint,
    UnknownPostcode,
    distance_metres,
    fill_location_coordinates,
    lookup_postcode,
    normalise_postcode,
    osgb36_to_wgs84,
    postcodes_in_local_authority,
)
from directory.models import Address, Location, LocationType

# Rows of the ONS Postcode Directory as the ONS published them (grid reference, WGS84 latitude
# and longitude, local authority), copied from the ONSPD extract that postcodes.io tests with;
# Buckingham Palace's latitude and longitude are also the widely quoted ONS values.
PUBLISHED = [
    # postcode, easting, northing, latitude, longitude, local authority
    ("SW1A 1AA", 529090, 179645, 51.501009, -0.141588, "E09000033"),
    ("SE1P 5ZZ", 533378, 178838, 51.492762, -0.080152, "E09000028"),
    ("M11 1AA", 388675, 397445, 53.473628, -2.172086, "E08000003"),
    ("AB16 9ZZ", 390455, 806919, 57.153045, -2.159404, "S12000033"),
]
TOLERANCE_METRES = 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a 1aa", "SW1A 1AA"),
        ("SW1A1AA", "SW1A 1AA"),
        ("  sw1a   1aa  ", "SW1A 1AA"),
        ("sw1a\t1aa\n", "SW1A 1AA"),
        ("m11ae", "M1 1AE"),  # A9
        ("B33 8TH", "B33 8TH"),  # A99
        ("CR2 6XH", "CR2 6XH"),  # AA9
        ("DN55 1PT", "DN55 1PT"),  # AA99
        ("W1A 0AX", "W1A 0AX"),  # A9A
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A
        ("gir0aa", "GIR 0AA"),  # the one special case
    ],
)
def test_normalise_postcode_returns_the_standard_form(value: str, expected: str) -> None:
    assert normalise_postcode(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "SW1A",  # outward code only
        "SW1A 1A",  # inward code too short
        "SW1A 1AAA",
        "12345",
        "SW1A-1AA",
        "QA1 1AA",  # Q never starts a postcode
        "AZ1 1AA",  # Z is never the second letter
        "SW1A 1CA",  # C is never used in the inward code
        "ZZ99 9ZZ",  # the NHS pseudo-postcode is not a real one
    ],
)
def test_normalise_postcode_rejects_malformed_values_with_a_message(value: str) -> None:
    with pytest.raises(InvalidPostcode) as excinfo:
        normalise_postcode(value)
    assert str(excinfo.value) == "Enter a full UK postcode, like SW1A 1AA"
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize(
    ("postcode", "easting", "northing", "latitude", "longitude", "code"), PUBLISHED
)
def test_lookup_postcode_is_within_10_metres_of_the_published_location(
    postcode: str, easting: int, northing: int, latitude: float, longitude: float, code: str
) -> None:
    point = lookup_postcode(postcode.lower().replace(" ", ""))

    assert point.postcode == postcode
    assert point.local_authority_code == code
    assert point.grid == geo.BRITISH_NATIONAL_GRID
    assert distance_metres(point.latitude, point.longitude, latitude, longitude) < (
        TOLERANCE_METRES
    )


@pytest.mark.parametrize(
    ("postcode", "easting", "northing", "latitude", "longitude", "code"), PUBLISHED
)
def test_osgb36_to_wgs84_is_within_10_metres_of_the_published_conversion(
    postcode: str, easting: int, northing: int, latitude: float, longitude: float, code: str
) -> None:
    got_latitude, got_longitude = osgb36_to_wgs84(easting, northing)

    assert distance_metres(got_latitude, got_longitude, latitude, longitude) < TOLERANCE_METRES


def test_osgb36_to_wgs84_returns_latitude_first() -> None:
    latitude, longitude = osgb36_to_wgs84(529090, 179645)

    assert latitude == pytest.approx(51.5, abs=0.01)
    assert longitude == pytest.approx(-0.14, abs=0.01)


def test_grid_conversions_need_no_grid_file_from_the_network() -> None:
    for grid in (geo.BRITISH_NATIONAL_GRID, geo.IRISH_GRID):
        assert "grids=" not in geo._transformer(grid).definition


def test_northern_ireland_postcodes_are_converted_from_the_irish_grid() -> None:
    point = lookup_postcode("BT1 1AA")

    assert point.grid == geo.IRISH_GRID
    assert point.local_authority_code.startswith("N09")
    # Central Belfast: read as a British National Grid reference it would be ~300 km away.
    assert distance_metres(point.latitude, point.longitude, 54.5964, -5.9301) < 1500


def test_lookup_postcode_returns_a_frozen_point() -> None:
    point = lookup_postcode("SW1A 1AA")

    assert point == PostcodePoint(
        postcode="SW1A 1AA",
        easting=529090,
        northing=179645,
        latitude=point.latitude,
        longitude=point.longitude,
        local_authority_code="E09000033",
    )
    with pytest.raises(AttributeError):
        point.latitude = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "postcode"),
    [
        ("sw1a 9zz", "SW1A 9ZZ"),  # well formed, never issued
        ("GY1 1AA", "GY1 1AA"),  # Guernsey: in the directory, but with no grid reference
        ("GIR 0AA", "GIR 0AA"),  # non-geographic
    ],
)
def test_lookup_postcode_raises_unknown_postcode_when_not_located(
    value: str, postcode: str
) -> None:
    with pytest.raises(UnknownPostcode) as excinfo:
        lookup_postcode(value)

    assert excinfo.value.postcode == postcode
    assert str(excinfo.value) == f"We could not find the postcode {postcode}"
    assert isinstance(excinfo.value, InvalidPostcode)


def test_lookup_postcode_raises_invalid_postcode_for_malformed_values() -> None:
    with pytest.raises(InvalidPostcode) as excinfo:
        lookup_postcode("not a postcode")

    assert not isinstance(excinfo.value, UnknownPostcode)


def test_postcodes_in_local_authority_lists_its_postcodes_sorted() -> None:
    postcodes = postcodes_in_local_authority("e06000010")  # Kingston upon Hull

    assert len(postcodes) > 1000
    assert postcodes == sorted(set(postcodes))
    assert "HU1 1AA" in postcodes
    for postcode in postcodes[:: len(postcodes) // 25]:
        assert lookup_postcode(postcode).local_authority_code == "E06000010"


def test_postcodes_in_local_authority_returns_a_fresh_list() -> None:
    postcodes_in_local_authority("E06000010").clear()

    assert postcodes_in_local_authority("E06000010")


def test_postcodes_in_local_authority_is_empty_for_an_unknown_code() -> None:
    assert postcodes_in_local_authority("E06999999") == []
    assert postcodes_in_local_authority("") == []


def test_distance_metres() -> None:
    assert distance_metres(51.5, -0.14, 51.5, -0.14) == 0
    # A degree of latitude on the mean-radius sphere.
    assert distance_metres(51, -1, 52, -1) == pytest.approx(111_195, abs=1)
    # London (Charing Cross) to Paris (Notre-Dame): about 344 km as the crow flies.
    london_paris = distance_metres(51.5074, -0.1278, 48.8566, 2.3522)
    assert london_paris == pytest.approx(343_500, abs=1_000)
    assert distance_metres(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(london_paris)


def _location(**kwargs: object) -> Location:
    return Location.objects.create(location_type=LocationType.PHYSICAL, name="Hub", **kwargs)


def _address(location: Location, postal_code: str, **kwargs: object) -> Address:
    fields: dict[str, object] = {
        "address_1": "1 High Street",
        "city": "London",
        "state_province": "Greater London",
        "country": "GB",
        "address_type": LocationType.PHYSICAL,
    }
    return Address.objects.create(
        location=location, postal_code=postal_code, **{**fields, **kwargs}
    )


@pytest.mark.django_db
def test_saving_an_address_gives_its_location_coordinates_from_the_postcode() -> None:
    location = _location()

    _address(location, "SW1A 1AA")

    location.refresh_from_db()
    assert location.latitude == pytest.approx(51.501009, abs=1e-5)
    assert location.longitude == pytest.approx(-0.141588, abs=1e-5)
    assert location.local_authority_code == "E09000033"


@pytest.mark.django_db
def test_saving_an_address_keeps_coordinates_the_location_already_has() -> None:
    location = _location(latitude=51.0, longitude=-1.0, local_authority_code="E07000001")

    _address(location, "SW1A 1AA")

    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (51.0, -1.0)
    assert location.local_authority_code == "E07000001"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("postal_code", "country"),
    [("SW1A 9ZZ", "GB"), ("not a postcode", "GB"), ("75004", "FR")],
)
def test_saving_an_address_leaves_the_location_without_coordinates_when_not_found(
    postal_code: str, country: str
) -> None:
    location = _location()

    _address(location, postal_code, country=country)

    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (None, None)
    assert location.local_authority_code == ""


@pytest.mark.django_db
def test_fill_location_coordinates_prefers_a_physical_address_and_does_not_save() -> None:
    location = _location(latitude=51.0, longitude=-1.0)
    _address(location, "SE1P 5ZZ", address_type=LocationType.POSTAL)
    _address(location, "M11 1AA")
    location.latitude = location.longitude = None

    assert fill_location_coordinates(location) is True

    assert location.local_authority_code == "E08000003"
    assert location.latitude == pytest.approx(53.4736, abs=1e-3)
    location.refresh_from_db()
    assert location.latitude == 51.0


@pytest.mark.django_db
def test_fill_location_coordinates_leaves_a_located_location_alone() -> None:
    location = _location(latitude=51.0, longitude=-1.0)
    _address(location, "SW1A 1AA")

    assert fill_location_coordinates(location) is False
    assert (location.latitude, location.longitude) == (51.0, -1.0)


def test_every_postcode_listed_for_an_authority_also_looks_up():
    # Westminster holds thousands of terminated W1M postcodes in an old format.
    listed = postcodes_in_local_authority("E09000033")
    assert listed and not any(p.startswith("W1M ") for p in listed)
    for postcode in listed[::500]:
        assert lookup_postcode(postcode).local_authority_code == "E09000033"

"""Real places for the demo data: the home local authority and a national spread for benchmarks.

Codes are ONS GSS local authority district codes as the offline postcode directory holds them
(post-2023 codes, e.g. Sheffield is E08000039). Neighbourhood and street names are real public
place names; house numbers and venue names built on them are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Place:
    code: str
    name: str  # the local authority's name as a service area
    town: str  # Address.city
    county: str  # Address.state_province
    region: str  # Address.region
    council: str  # the council's name, for council department organisations
    # Neighbourhoods and streets, each with the postcode districts it lies in, so that an
    # address reads true to its postcode. Places without them get generic names.
    areas: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    streets: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    welsh: bool = False

    def area_names(self, district: str = "") -> tuple[str, ...]:
        if not self.areas:
            # Compass-point areas read naturally enough for places without a curated list.
            return (
                f"{self.town} Central",
                f"North {self.town}",
                f"East {self.town}",
                f"South {self.town}",
                f"West {self.town}",
                self.town,
            )
        return _in_district(self.areas, district)

    def street_names(self, district: str = "") -> tuple[str, ...]:
        return _in_district(self.streets, district) if self.streets else GENERIC_STREETS

    @property
    def uri(self) -> str:
        return f"http://statistics.data.gov.uk/id/statistical-geography/{self.code}"


def _in_district(names: tuple[tuple[str, tuple[str, ...]], ...], district: str) -> tuple[str, ...]:
    matching = tuple(name for name, districts in names if district in districts)
    return matching or tuple(name for name, _ in names)


GENERIC_STREETS: tuple[str, ...] = (
    "High Street",
    "Church Road",
    "Station Road",
    "Victoria Road",
    "Park Road",
    "Mill Lane",
    "Market Street",
    "Chapel Street",
    "Queen Street",
    "King Street",
    "North Road",
    "London Road",
    "School Lane",
    "Green Lane",
    "Albert Road",
    "New Road",
    "Manor Road",
    "The Parade",
    "Castle Street",
    "Bridge Street",
    "Grange Road",
    "Springfield Road",
)

HULL = Place(
    code="E06000010",
    name="Kingston upon Hull",
    town="Hull",
    county="East Riding of Yorkshire",
    region="Yorkshire and the Humber",
    council="Hull City Council",
    areas=(
        ("Bransholme", ("HU7",)),
        ("Orchard Park", ("HU6",)),
        ("Bilton Grange", ("HU8",)),
        ("Longhill", ("HU8",)),
        ("Sutton Park", ("HU7",)),
        ("Ings", ("HU8",)),
        ("Marfleet", ("HU9", "HU12")),
        ("Preston Road", ("HU9",)),
        ("Holderness Road", ("HU8", "HU9")),
        ("Drypool", ("HU9",)),
        ("Old Town", ("HU1",)),
        ("Newland", ("HU5", "HU6")),
        ("Avenues", ("HU5",)),
        ("Newington", ("HU3",)),
        ("Gipsyville", ("HU4",)),
        ("Hessle Road", ("HU3", "HU4")),
        ("Derringham", ("HU4",)),
        ("Pickering", ("HU4",)),
        ("Kingswood", ("HU7",)),
        ("Greatfield", ("HU9",)),
        ("Stoneferry", ("HU8",)),
        ("Fruit Market", ("HU1",)),
        ("Spring Bank", ("HU2", "HU3")),
        ("Thornton", ("HU3",)),
        ("Boothferry", ("HU4",)),
        ("Sutton-on-Hull", ("HU7", "HU8", "HU11")),
        ("City Centre", ("HU1", "HU2")),
        ("West Hull", ("HU3", "HU4", "HU13")),
        ("East Hull", ("HU8", "HU9", "HU12")),
        ("North Hull", ("HU6", "HU7")),
    ),
    streets=(
        ("Beverley Road", ("HU2", "HU3", "HU5", "HU6")),
        ("Holderness Road", ("HU8", "HU9")),
        ("Hessle Road", ("HU3", "HU4", "HU13")),
        ("Anlaby Road", ("HU3", "HU4")),
        ("Spring Bank", ("HU2", "HU3")),
        ("Princes Avenue", ("HU5",)),
        ("Newland Avenue", ("HU5",)),
        ("Chanterlands Avenue", ("HU5",)),
        ("Cottingham Road", ("HU5", "HU6")),
        ("Preston Road", ("HU9",)),
        ("Marfleet Lane", ("HU9",)),
        ("Southcoates Lane", ("HU9",)),
        ("Hedon Road", ("HU9", "HU12")),
        ("Goodhart Road", ("HU7",)),
        ("Wawne Road", ("HU7",)),
        ("Orchard Park Road", ("HU6",)),
        ("Greenwood Avenue", ("HU6",)),
        ("Boothferry Road", ("HU4",)),
        ("Calvert Lane", ("HU4",)),
        ("Sutton Road", ("HU6", "HU7", "HU8")),
        ("Ings Road", ("HU7", "HU8")),
        ("Stoneferry Road", ("HU7", "HU8")),
        ("Saltshouse Road", ("HU8", "HU11")),
        ("Endike Lane", ("HU6",)),
        ("Hall Road", ("HU6",)),
        ("Cranbrook Avenue", ("HU6",)),
        ("Clough Road", ("HU5", "HU6")),
        ("Sculcoates Lane", ("HU5",)),
        ("Bricknell Avenue", ("HU5",)),
        ("Freetown Way", ("HU2",)),
        ("George Street", ("HU1", "HU2")),
        ("Jameson Street", ("HU1",)),
        ("High Street", ("HU1",)),
        ("Hawthorn Avenue", ("HU3",)),
    ),
)


def _place(
    code: str, name: str, town: str, county: str, region: str, council: str, *, welsh: bool = False
) -> Place:
    return Place(code, name, town, county, region, council, welsh=welsh)


# The national spread for large seeds: cities, towns and rural areas across England and Wales,
# so that proximity search over 100k services has near and far results everywhere.
NATIONAL: tuple[Place, ...] = (
    HULL,
    _place(
        "E08000035",
        "Leeds",
        "Leeds",
        "West Yorkshire",
        "Yorkshire and the Humber",
        "Leeds City Council",
    ),
    _place(
        "E08000039",
        "Sheffield",
        "Sheffield",
        "South Yorkshire",
        "Yorkshire and the Humber",
        "Sheffield City Council",
    ),
    _place(
        "E08000032",
        "Bradford",
        "Bradford",
        "West Yorkshire",
        "Yorkshire and the Humber",
        "Bradford Council",
    ),
    _place(
        "E06000014",
        "York",
        "York",
        "North Yorkshire",
        "Yorkshire and the Humber",
        "City of York Council",
    ),
    _place(
        "E06000065",
        "North Yorkshire",
        "Northallerton",
        "North Yorkshire",
        "Yorkshire and the Humber",
        "North Yorkshire Council",
    ),
    _place(
        "E08000021",
        "Newcastle upon Tyne",
        "Newcastle upon Tyne",
        "Tyne and Wear",
        "North East",
        "Newcastle City Council",
    ),
    _place(
        "E08000024",
        "Sunderland",
        "Sunderland",
        "Tyne and Wear",
        "North East",
        "Sunderland City Council",
    ),
    _place(
        "E06000047",
        "County Durham",
        "Durham",
        "County Durham",
        "North East",
        "Durham County Council",
    ),
    _place(
        "E06000057",
        "Northumberland",
        "Morpeth",
        "Northumberland",
        "North East",
        "Northumberland County Council",
    ),
    _place("E06000063", "Cumberland", "Carlisle", "Cumbria", "North West", "Cumberland Council"),
    _place(
        "E08000003",
        "Manchester",
        "Manchester",
        "Greater Manchester",
        "North West",
        "Manchester City Council",
    ),
    _place(
        "E08000012", "Liverpool", "Liverpool", "Merseyside", "North West", "Liverpool City Council"
    ),
    _place(
        "E06000008",
        "Blackburn with Darwen",
        "Blackburn",
        "Lancashire",
        "North West",
        "Blackburn with Darwen Borough Council",
    ),
    _place("E07000123", "Preston", "Preston", "Lancashire", "North West", "Preston City Council"),
    _place(
        "E08000025",
        "Birmingham",
        "Birmingham",
        "West Midlands",
        "West Midlands",
        "Birmingham City Council",
    ),
    _place(
        "E08000026",
        "Coventry",
        "Coventry",
        "West Midlands",
        "West Midlands",
        "Coventry City Council",
    ),
    _place(
        "E08000031",
        "Wolverhampton",
        "Wolverhampton",
        "West Midlands",
        "West Midlands",
        "City of Wolverhampton Council",
    ),
    _place(
        "E06000021",
        "Stoke-on-Trent",
        "Stoke-on-Trent",
        "Staffordshire",
        "West Midlands",
        "Stoke-on-Trent City Council",
    ),
    _place(
        "E06000019",
        "Herefordshire",
        "Hereford",
        "Herefordshire",
        "West Midlands",
        "Herefordshire Council",
    ),
    _place(
        "E06000051", "Shropshire", "Shrewsbury", "Shropshire", "West Midlands", "Shropshire Council"
    ),
    _place(
        "E06000018",
        "Nottingham",
        "Nottingham",
        "Nottinghamshire",
        "East Midlands",
        "Nottingham City Council",
    ),
    _place("E06000015", "Derby", "Derby", "Derbyshire", "East Midlands", "Derby City Council"),
    _place(
        "E06000016",
        "Leicester",
        "Leicester",
        "Leicestershire",
        "East Midlands",
        "Leicester City Council",
    ),
    _place(
        "E07000138",
        "Lincoln",
        "Lincoln",
        "Lincolnshire",
        "East Midlands",
        "City of Lincoln Council",
    ),
    _place("E07000148", "Norwich", "Norwich", "Norfolk", "East of England", "Norwich City Council"),
    _place(
        "E07000202", "Ipswich", "Ipswich", "Suffolk", "East of England", "Ipswich Borough Council"
    ),
    _place(
        "E06000031",
        "Peterborough",
        "Peterborough",
        "Cambridgeshire",
        "East of England",
        "Peterborough City Council",
    ),
    _place(
        "E07000008",
        "Cambridge",
        "Cambridge",
        "Cambridgeshire",
        "East of England",
        "Cambridge City Council",
    ),
    _place("E06000032", "Luton", "Luton", "Bedfordshire", "East of England", "Luton Council"),
    _place(
        "E06000033",
        "Southend-on-Sea",
        "Southend-on-Sea",
        "Essex",
        "East of England",
        "Southend-on-Sea City Council",
    ),
    _place(
        "E07000070",
        "Chelmsford",
        "Chelmsford",
        "Essex",
        "East of England",
        "Chelmsford City Council",
    ),
    _place("E09000028", "Southwark", "London", "Greater London", "London", "Southwark Council"),
    _place("E09000012", "Hackney", "London", "Greater London", "London", "Hackney Council"),
    _place(
        "E09000033", "Westminster", "London", "Greater London", "London", "Westminster City Council"
    ),
    _place("E09000025", "Newham", "London", "Greater London", "London", "Newham Council"),
    _place("E09000009", "Ealing", "London", "Greater London", "London", "Ealing Council"),
    _place("E09000008", "Croydon", "Croydon", "Greater London", "London", "Croydon Council"),
    _place("E07000178", "Oxford", "Oxford", "Oxfordshire", "South East", "Oxford City Council"),
    _place("E06000038", "Reading", "Reading", "Berkshire", "South East", "Reading Borough Council"),
    _place(
        "E06000045",
        "Southampton",
        "Southampton",
        "Hampshire",
        "South East",
        "Southampton City Council",
    ),
    _place(
        "E06000044",
        "Portsmouth",
        "Portsmouth",
        "Hampshire",
        "South East",
        "Portsmouth City Council",
    ),
    _place(
        "E06000043",
        "Brighton and Hove",
        "Brighton",
        "East Sussex",
        "South East",
        "Brighton and Hove City Council",
    ),
    _place("E06000035", "Medway", "Chatham", "Kent", "South East", "Medway Council"),
    _place("E06000023", "Bristol", "Bristol", "Bristol", "South West", "Bristol City Council"),
    _place(
        "E06000022",
        "Bath and North East Somerset",
        "Bath",
        "Somerset",
        "South West",
        "Bath and North East Somerset Council",
    ),
    _place("E06000026", "Plymouth", "Plymouth", "Devon", "South West", "Plymouth City Council"),
    _place("E07000041", "Exeter", "Exeter", "Devon", "South West", "Exeter City Council"),
    _place("E06000052", "Cornwall", "Truro", "Cornwall", "South West", "Cornwall Council"),
    _place("E06000054", "Wiltshire", "Trowbridge", "Wiltshire", "South West", "Wiltshire Council"),
    _place(
        "E06000058",
        "Bournemouth, Christchurch and Poole",
        "Bournemouth",
        "Dorset",
        "South West",
        "BCP Council",
    ),
    _place(
        "E07000081",
        "Gloucester",
        "Gloucester",
        "Gloucestershire",
        "South West",
        "Gloucester City Council",
    ),
    _place(
        "W06000015", "Cardiff", "Cardiff", "South Glamorgan", "Wales", "Cardiff Council", welsh=True
    ),
    _place(
        "W06000011", "Swansea", "Swansea", "West Glamorgan", "Wales", "Swansea Council", welsh=True
    ),
    _place("W06000022", "Newport", "Newport", "Gwent", "Wales", "Newport City Council", welsh=True),
    _place("W06000002", "Gwynedd", "Caernarfon", "Gwynedd", "Wales", "Gwynedd Council", welsh=True),
    _place(
        "W06000001",
        "Isle of Anglesey",
        "Llangefni",
        "Isle of Anglesey",
        "Wales",
        "Isle of Anglesey County Council",
        welsh=True,
    ),
)

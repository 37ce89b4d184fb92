"""The owners' map of Norway beside the directory of resource persons, as pure code:
(owner, region) pairs in, shapes out; templates/people/_map.svg.html writes them.

It is a schematic map, not a survey one: the five regions of the directory (rules.
REGIONS) as tiles placed roughly where they lie (the north at the top, the west to the
left), each owner a marker in its region's tile. No map outline data is shipped: free
outlines of the counties (Kartverket/Geonorge, CC BY 4.0) are not on PyPI, npm or in
Debian, and this workplace has no other network. The list stays the content; the map
shows where the owners are, each marker a link to the owner's entry in the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 400
HEIGHT = 560
MARKER = 9  # radius
STEP = 26  # distance between markers
PAD = 16  # inside a tile: above the first row of markers, below the label

#: (x, y, width, height) of each region's tile: Northern Norway tall in the north-east,
#: Central Norway below it, Western and Eastern Norway side by side, the south last.
TILES = {
    "nord": (176, 8, 216, 206),
    "midt": (112, 222, 216, 96),
    "vest": (8, 326, 190, 138),
    "ost": (206, 326, 186, 138),
    "sor": (64, 472, 240, 80),
}

TILE_FILL = "#e8eef5"
TILE_STROKE = "#4a6a8a"
MARKER_FILL = "#0b4f8a"  # 7.9:1 on the tile, 8.6:1 on white
LABEL = "#1f2d3a"


@dataclass(frozen=True)
class Owner:
    id: int
    name: str
    person: str  # the resource person's name
    region: str  # a code of rules.REGIONS, or "" (then not on the map)
    number: int = 0  # the owner's number in the list beside the map, shown in its dot


@dataclass(frozen=True)
class Marker:
    owner: Owner
    cx: float
    cy: float
    r: float = MARKER


@dataclass(frozen=True)
class Tile:
    region: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    markers: list[Marker] = field(default_factory=list)


@dataclass(frozen=True)
class OwnersMap:
    width: int
    height: int
    tiles: list[Tile]
    unplaced: list[Owner]  # owners without a region: in the list only

    @property
    def placed(self) -> int:
        return sum(len(t.markers) for t in self.tiles)


def _grid(width: float, height: float, count: int) -> tuple[float, float, int]:
    """(step, radius, markers per row) so that `count` markers fit the tile's free area
    of `width` × `height`: the usual size, smaller only for a crowded region."""
    step, radius = float(STEP), float(MARKER)
    while True:
        per_row = max(1, int((width - 2 * radius) // step) + 1)
        rows = max(1, int((height - 2 * radius) // step) + 1)
        if per_row * rows >= count or step <= 8:
            return step, radius, per_row
        step -= 1
        radius = min(MARKER, step * 0.36)


def draw(owners: list[Owner]) -> OwnersMap:
    """Each owner with a known region becomes a marker in that region's tile, in rows
    from the top left, in the order given; owners without a region are left off."""
    tiles = []
    for region, (x, y, width, height) in TILES.items():
        here = [o for o in owners if o.region == region]
        top = y + PAD + 22  # below the label
        step, radius, per_row = _grid(width - 2 * PAD, y + height - PAD - top, len(here))
        markers = []
        for index, owner in enumerate(here):
            row, column = divmod(index, per_row)
            markers.append(
                Marker(
                    owner=owner,
                    cx=x + PAD + radius + column * step,
                    cy=top + radius + row * step,
                    r=radius,
                )
            )
        tiles.append(
            Tile(
                region=region,
                x=x,
                y=y,
                width=width,
                height=height,
                label_x=x + PAD - 4,
                label_y=y + PAD + 6,
                markers=markers,
            )
        )
    unplaced = [o for o in owners if o.region not in TILES]
    return OwnersMap(width=WIDTH, height=HEIGHT, tiles=tiles, unplaced=unplaced)

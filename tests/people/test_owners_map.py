"""The owners' map beside the directory: a server-drawn schematic map of Norway's five
regions, each owner a link to its entry in the list."""

import re
from datetime import date

import pytest

from eventsys.people import ownersmap


def _owner(n, region):
    return ownersmap.Owner(id=n, name=f"Lærested {n}", person=f"Person {n}", region=region)


@pytest.mark.parametrize("count", [1, 5, 8, 9, 20, 40])
def test_markers_sit_inside_their_regions_tile_without_overlapping(count):
    drawn = ownersmap.draw([_owner(n, "vest") for n in range(count)] + [_owner(99, "nord")])
    tiles = {t.region: t for t in drawn.tiles}
    vest = tiles["vest"]
    assert [m.owner.id for m in vest.markers] == list(range(count))
    centres = {(m.cx, m.cy) for m in vest.markers}
    assert len(centres) == count
    for m in vest.markers:  # a crowded region gets smaller markers, all inside
        assert vest.x < m.cx - m.r and m.cx + m.r < vest.x + vest.width
        assert vest.y < m.cy - m.r and m.cy + m.r < vest.y + vest.height
    assert [m.owner.id for m in tiles["nord"].markers] == [99]
    assert drawn.placed == count + 1 and drawn.unplaced == []


def test_owners_without_a_region_are_in_the_list_only():
    drawn = ownersmap.draw([_owner(1, ""), _owner(2, "ost")])
    assert drawn.placed == 1 and [o.id for o in drawn.unplaced] == [1]


def test_the_directory_shows_the_map_with_a_link_per_owner(app, client, make_user):
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.organisations.models import Organisation, OrganisationKind
    from eventsys.people import operations as people

    make_user("admin@nettverket.no", role="admin")
    make_user("vera@uib.no", name="Vera Vest")
    make_user("nils@uit.no", name="Nils Nord")
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "admin@nettverket.no"))
        uib = Organisation(name="Universitetet i Bergen", kind=OrganisationKind.institution)
        uit = Organisation(
            name="UiT Norges arktiske universitet", kind=OrganisationKind.institution
        )
        db.session.add_all([uib, uit])
        db.session.flush()
        people.appoint(admin, uib, "vera@uib.no", date(2025, 1, 1), date(2030, 12, 31))
        people.appoint(admin, uit, "nils@uit.no", date(2025, 1, 1), date(2030, 12, 31))
        vera = db.session.scalar(db.select(User).where(User.email == "vera@uib.no"))
        people.save_profile(vera, {"title": "Rådgiver", "region": "vest"})
        ids = uib.id, uit.id
        database.commit()

    html = client.get("/people").get_data(as_text=True)
    svg = html.split('<svg xmlns="http://www.w3.org/2000/svg"')[1].split("</svg>")[0]
    assert "Eierne på et kart over Norge" in html
    links = re.findall(r'<a href="#owner-(\d+)" aria-label="([^"]+)"', svg)
    assert links == [(str(ids[0]), "Universitetet i Bergen: Vera Vest (Vestlandet)")]
    # The link leads to the owner's entry in the list, which comes first on the page.
    assert f'id="owner-{ids[0]}"' in html and f'id="owner-{ids[1]}"' in html
    assert html.index(f'id="owner-{ids[0]}"') < html.index("<svg")
    # Its dot carries the entry's number in the list (by owner: UiT first, then UiB).
    assert re.search(r"<text[^>]*>2</text>", svg)
    assert '<span class="map-number" aria-hidden="true">2</span> Vera Vest' in html
    # Nils has given no region: in the list, not on the map.
    assert "Nils Nord" in html and "Nils Nord" not in svg
    assert "1 eier har ikke oppgitt region" in html

    english = client.get("/people?lang=en").get_data(as_text=True)
    assert "Universitetet i Bergen: Vera Vest (Western Norway)" in english

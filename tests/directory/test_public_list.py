"""The public list: filters, counts per platform, and a CSV export holding exactly the filtered rows."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
import pytest

from tests.builders.directory import API, org, publish
from tests.builders.people import Actor, make_staff

LISTINGS: list[dict[str, Any]] = [
    org(name="Lakeside Children's Hospital", kind="hospital", country="US", region="Minnesota",
        website="https://lakeside.example.org",
        accounts={"x": "https://x.com/lakeside", "youtube": "https://youtube.com/@lakeside"}),
    org(name="North Shore Clinic", kind="clinic", country="US", region="minnesota ",
        website="https://northshore.example.org", accounts={"instagram": "https://instagram.com/northshore"}),
    org(name="Bay Research Lab", kind="research_lab", country="US", region="California",
        website="https://baylab.example.org", accounts={"x": "https://x.com/baylab"}),
    org(name="=HYPERLINK(\"https://evil.example\")", kind="association", country="GB", region="England",
        website="https://nursing-assoc.example.org",
        accounts={"x": "https://x.com/nursingassoc", "mastodon": "https://mastodon.social/@nursing"}),
    org(name="Clinique du Lac", kind="clinic", country="FR", region="",
        website="https://clinique-lac.example.fr", accounts={"facebook": "https://facebook.com/cliniquelac"}),
]  # fmt: skip


async def _seed(client: httpx.AsyncClient) -> Actor:
    staff = await make_staff()
    for i, body in enumerate(LISTINGS):
        await publish(client, staff, {**body, "contact_email": f"sender{i}@example.org"})
    return staff


def _csv_names(text: str) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    return [row["name"] for row in rows]


FILTERS = [
    {},
    {"country": "US"},
    {"country": "us", "region": "Minnesota"},
    {"type": "clinic"},
    {"platform": "x"},
    {"country": "US", "platform": "x"},
    {"country": "GB", "type": "association", "platform": "mastodon"},
    {"country": "DE"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=[str(f) for f in FILTERS])
async def test_csv_export_matches_the_public_filters(
    client: httpx.AsyncClient, filters: dict[str, str]
) -> None:
    await _seed(client)
    api = (await client.get(f"{API}/listings", params=filters)).json()
    api_names = [item["name"] for item in api["items"]]
    page = await client.get("/social-media-list", params=filters)
    assert page.status_code == 200
    page_ids = re.findall(r'data-listing="(\d+)"', page.text)
    assert sorted(int(i) for i in page_ids) == sorted(item["id"] for item in api["items"])
    assert api["total"] == len(api_names)

    link = re.search(r'href="([^"]+)" id="csv-link"', page.text)
    assert link is not None
    export = await client.get(link.group(1).replace("&amp;", "&"))
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    names = [n.removeprefix("'") for n in _csv_names(export.text)]
    assert names == api_names
    api_csv = await client.get(f"{API}/listings", params={**filters, "format": "csv"})
    assert api_csv.text == export.text


async def test_filters_select_the_right_rows(client: httpx.AsyncClient) -> None:
    await _seed(client)

    async def names(**filters: str) -> set[str]:
        return {i["name"] for i in (await client.get(f"{API}/listings", params=filters)).json()["items"]}

    assert await names(country="US", region="MINNESOTA") == {
        "Lakeside Children's Hospital",
        "North Shore Clinic",
    }
    assert await names(type="clinic") == {"North Shore Clinic", "Clinique du Lac"}
    assert await names(platform="mastodon") == {LISTINGS[3]["name"]}
    assert await names(country="US", platform="x") == {"Lakeside Children's Hospital", "Bay Research Lab"}


async def test_counts_per_platform_follow_the_other_filters(client: httpx.AsyncClient) -> None:
    await _seed(client)
    everything = (await client.get(f"{API}/listings")).json()["platform_counts"]
    assert everything == {"x": 3, "facebook": 1, "instagram": 1, "linkedin": 0, "youtube": 1, "tiktok": 0,
                          "threads": 0, "bluesky": 0, "mastodon": 1}  # fmt: skip
    us = (await client.get(f"{API}/listings", params={"country": "US", "platform": "x"})).json()
    assert us["platform_counts"]["x"] == 2 and us["platform_counts"]["instagram"] == 1
    page = await client.get("/social-media-list", params={"country": "US"})
    assert re.search(r'data-platform="x">X \(Twitter\)</a>: <span class="count">2</span>', page.text)


async def test_the_export_is_formula_safe(client: httpx.AsyncClient) -> None:
    await _seed(client)
    export = await client.get("/social-media-list/export.csv", params={"country": "GB"})
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "name", "type"]
    assert rows[1][1] == '\'=HYPERLINK("https://evil.example")'
    assert rows[1][rows[0].index("mastodon")] == "https://mastodon.social/@nursing"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"country": "ZZ"}, "country"), ({"type": "spa"}, "type"), ({"platform": "myspace"}, "platform"),
     ({"region": "r" * 101}, "region")],
)  # fmt: skip
async def test_unknown_filters_are_a_clear_400(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    api = await client.get(f"{API}/listings", params=params)
    assert api.status_code == 400 and api.json()["code"] == "directory.filter_invalid"
    assert api.json()["details"]["field"] == field
    page = await client.get("/social-media-list", params=params)
    assert page.status_code == 400 and 'id="filter-error"' in page.text
    export = await client.get("/social-media-list/export.csv", params=params)
    assert export.status_code == 400


async def test_listing_page_and_unknown_listing(client: httpx.AsyncClient) -> None:
    await _seed(client)
    first = (await client.get(f"{API}/listings", params={"country": "FR"})).json()["items"][0]
    page = await client.get(f"/social-media-list/{first['id']}")
    assert page.status_code == 200 and "Clinique du Lac" in page.text
    assert "https://facebook.com/cliniquelac" in page.text and "approved by" in page.text
    assert (await client.get("/social-media-list/99999")).status_code == 404
    assert (await client.get(f"{API}/listings/99999")).json()["code"] == "directory.listing_not_found"

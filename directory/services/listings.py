"""The public side of the list: approved listings with filters, counts per platform, the change log, CSV.

Everything here reads only approved tables (``Listing``, ``ListingAccount``,
``ListingChange``); submissions, their notes and their senders are never
touched, so nothing waiting for moderation can leak onto a public page.

The page, the API and the CSV export share one :class:`ListingQuery` and one
condition, so an export holds exactly the rows the same filters show.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count

from accounts.tables import Person
from directory import errors
from directory.countries import COUNTRIES
from directory.platforms import PLATFORMS
from directory.proposals import KINDS, LIMITS, Proposal, region_key
from directory.schemas import AccountOut, ChangeOut, ChangePage, ListingOut, ListingPage
from directory.tables import Listing, ListingAccount, ListingChange
from grandrounds.spreadsheets import safe_cell

MAX_LIMIT = 500
CSV_COLUMNS = (
    "id",
    "name",
    "type",
    "country",
    "region",
    "city",
    "website",
    *PLATFORMS,
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class ListingQuery:
    country: str = ""
    region: str = ""
    kind: str = ""
    platform: str = ""
    limit: int = 100
    offset: int = 0

    def filters(self) -> dict[str, str]:
        """The filters as query parameters (for links: the CSV export, the next page)."""
        named = {"country": self.country, "region": self.region, "type": self.kind, "platform": self.platform}
        return {k: v for k, v in named.items() if v}


def parse_query(
    country: str | None = None,
    region: str | None = None,
    kind: str | None = None,
    platform: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> ListingQuery:
    """Filters from a query string; an unknown value is a 400, never a silently empty list."""
    country = (country or "").strip().upper()
    if country and country not in COUNTRIES:
        raise errors.filter_invalid("country", "Country must be a two-letter ISO 3166 code such as US.")
    region = " ".join((region or "").split())
    if len(region) > LIMITS["region"]:
        raise errors.filter_invalid("region", f"Region is limited to {LIMITS['region']} characters.")
    kind = (kind or "").strip()
    if kind and kind not in KINDS:
        raise errors.filter_invalid("type", f"Type must be one of: {', '.join(KINDS)}.")
    platform = (platform or "").strip()
    if platform and platform not in PLATFORMS:
        raise errors.filter_invalid("platform", f"Platform must be one of: {', '.join(PLATFORMS)}.")
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise errors.filter_invalid("limit", f"limit must be 1 to {MAX_LIMIT} and offset at least 0.")
    return ListingQuery(country, region, kind, platform, limit, offset)


def _conditions(query: ListingQuery, *, with_platform: bool = True) -> list[Any]:
    conditions: list[Any] = [Listing.id > 0]
    if query.country:
        conditions.append(Listing.country == query.country)
    if query.region:
        conditions.append(Listing.region_key == region_key(query.region))
    if query.kind:
        conditions.append(Listing.kind == query.kind)
    if query.platform and with_platform:
        on_platform = ListingAccount.select(ListingAccount.listing).where(
            ListingAccount.platform == query.platform
        )
        conditions.append(Listing.id.is_in(on_platform))
    return conditions


async def _accounts(listing_ids: list[int]) -> dict[int, dict[str, str]]:
    if not listing_ids:
        return {}
    rows = await ListingAccount.select(
        ListingAccount.listing, ListingAccount.platform, ListingAccount.url
    ).where(ListingAccount.listing.is_in(listing_ids))
    found: dict[int, dict[str, str]] = {}
    for r in rows:
        found.setdefault(r["listing"], {})[r["platform"]] = r["url"]
    return found


def _out(row: dict[str, Any], accounts: dict[str, str]) -> ListingOut:
    return ListingOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        country=row["country"],
        country_name=COUNTRIES.get(row["country"], row["country"]),
        region=row["region"],
        city=row["city"],
        website=row["website"],
        description=row["description"],
        accounts=[
            AccountOut(platform=key, label=p.label, url=accounts[key])
            for key, p in PLATFORMS.items()
            if key in accounts
        ],
        has_verified_contact=row["contact"] is not None,
        updated_at=row["updated_at"],
    )


async def _rows(query: ListingQuery, *, paged: bool) -> list[ListingOut]:
    select = Listing.select().where(*_conditions(query)).order_by(Listing.name).order_by(Listing.id)
    if paged:
        select = select.limit(query.limit).offset(query.offset)
    rows = await select
    accounts = await _accounts([r["id"] for r in rows])
    return [_out(r, accounts.get(r["id"], {})) for r in rows]


async def platform_counts(query: ListingQuery) -> dict[str, int]:
    """Listings with an account on each platform, among those matching every filter but the platform."""
    within = Listing.select(Listing.id).where(*_conditions(query, with_platform=False))
    rows = await (
        ListingAccount.select(ListingAccount.platform, Count(alias="n"))
        .where(ListingAccount.listing.is_in(within))
        .group_by(ListingAccount.platform)
    )
    found = {r["platform"]: r["n"] for r in rows}
    return {key: int(found.get(key, 0)) for key in PLATFORMS}


async def search(query: ListingQuery) -> ListingPage:
    items = await _rows(query, paged=True)
    total = await Listing.count().where(*_conditions(query))
    return ListingPage(
        items=items,
        total=total,
        limit=query.limit,
        offset=query.offset,
        platform_counts=await platform_counts(query),
    )


async def listing(listing_id: int) -> ListingOut:
    row = await Listing.select().where(Listing.id == listing_id).first()
    if row is None:
        raise errors.listing_not_found()
    accounts = await _accounts([listing_id])
    return _out(row, accounts.get(listing_id, {}))


async def current_proposal(listing_id: int) -> tuple[Proposal, int | None]:
    """A listing as a Proposal (to compare a correction against), and its verified contact."""
    row = await Listing.select().where(Listing.id == listing_id).first()
    if row is None:
        raise errors.listing_not_found()
    accounts = (await _accounts([listing_id])).get(listing_id, {})
    ordered = {key: accounts[key] for key in PLATFORMS if key in accounts}
    proposal = Proposal(
        row["name"],
        row["kind"],
        row["country"],
        row["region"],
        row["city"],
        row["website"],
        row["website_domain"],
        row["description"],
        ordered,
    )
    return proposal, row["contact"]


async def changes(listing_id: int | None = None, limit: int = 100, offset: int = 0) -> ChangePage:
    """The change log, newest first; the approver is shown by name only."""
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise errors.filter_invalid("limit", f"limit must be 1 to {MAX_LIMIT} and offset at least 0.")
    conditions: list[Any] = [ListingChange.id > 0]
    if listing_id is not None:
        conditions.append(ListingChange.listing == listing_id)
    rows = await (
        ListingChange.select(
            ListingChange.id,
            ListingChange.listing,
            ListingChange.kind,
            ListingChange.fields,
            ListingChange.at,
            ListingChange.listing.name.as_alias("listing_name"),
            ListingChange.approved_by.name.as_alias("approver"),
        )
        .where(*conditions)
        .order_by(ListingChange.at, ascending=False)
        .order_by(ListingChange.id, ascending=False)
        .limit(limit)
        .offset(offset)
        .output(load_json=True)
    )
    items = [
        ChangeOut(
            id=r["id"],
            listing_id=r["listing"],
            listing_name=r["listing_name"] or "",
            kind=r["kind"],
            fields=list(r["fields"] or []),
            approved_by=r["approver"] or "staff",
            at=r["at"],
        )
        for r in rows
    ]
    total = await ListingChange.count().where(*conditions)
    return ChangePage(items=items, total=total, limit=limit, offset=offset)


async def export_csv(query: ListingQuery) -> str:
    """Every listing matching the filters (limit and offset do not apply), one column per platform."""
    items = await _rows(query, paged=False)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        accounts = {a.platform: a.url for a in item.accounts}
        cells = [item.name, item.kind, item.country, item.region, item.city, item.website]
        cells += [accounts.get(key, "") for key in PLATFORMS]
        writer.writerow([item.id, *(safe_cell(c) for c in cells), item.updated_at.isoformat()])
    return out.getvalue()


async def person_name(person_id: int) -> str:
    row = await Person.select(Person.name).where(Person.id == person_id).first()
    return str(row["name"]) if row else ""


async def countries_listed() -> list[str]:
    """Country codes that some listing names (in no order): the country filter offers only these."""
    return [r["country"] for r in await Listing.select(Listing.country).distinct()]

"""The event page's "recording available" line: published recordings of that event in the library.

Registered with ``events.pages.catalogue.register_event_links`` by the shell,
because events must not import the library. The line shows to everyone; the
item's own page decides how much of it the reader may open.
"""

from __future__ import annotations

from library.tables import LibraryItem


async def recordings_of(event_id: int) -> list[dict[str, str]]:
    rows = (
        await LibraryItem.select(LibraryItem.id, LibraryItem.title)
        .where(
            (LibraryItem.event == event_id)
            & (LibraryItem.kind == "recorded_webinar")
            & (LibraryItem.status == "published")
        )
        .order_by(LibraryItem.id)
    )
    return [{"href": f"/library/{r['id']}", "text": f"Recording available: {r['title']}"} for r in rows]

"""File downloads the browser saves rather than shows: one CSV response for every export."""

from __future__ import annotations

from litestar import Response

CSV_MEDIA_TYPE = "text/csv"  # Litestar appends "; charset=utf-8" to text/* types itself


def csv_response(body: str, filename: str) -> Response[str]:
    """A CSV download: UTF-8 with a byte-order mark (spreadsheet programs then read names
    correctly), saved under ``filename`` and never cached (rosters and ledgers hold personal data)."""
    return Response(
        "\ufeff" + body,
        media_type=CSV_MEDIA_TYPE,
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )

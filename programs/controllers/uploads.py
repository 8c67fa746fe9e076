"""Reading one uploaded file from a multipart form, for the import and deliverable endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from programs import errors

MultipartForm = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


async def read_file(form: dict[str, Any], field: str = "file") -> tuple[str, bytes]:
    """(filename, bytes) of the form's file field; 400 ``upload.file_missing`` when there is none."""
    upload = form.get(field)
    if isinstance(upload, list):
        upload = upload[0] if upload else None
    if not isinstance(upload, UploadFile):
        raise errors.upload_file_missing(field)
    data = await upload.read()
    return upload.filename or "", data


def text_field(form: dict[str, Any], name: str, default: str = "", limit: int = 200) -> str:
    value = form.get(name, default)
    return value[:limit] if isinstance(value, str) else default

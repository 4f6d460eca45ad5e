"""Exports as streamed downloads: `/admin/{city}/export/{what}.csv` or `.xlsx`.

CSV goes out row page by row page as it is read. XLSX is written by openpyxl in write-only
mode (rows go to a temporary file, not into memory) and the finished file is streamed in
chunks: a zip's directory comes last, so the file must be complete before it is sent.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator

from openpyxl import Workbook
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from core.figures.exports import EXPORTS, Export
from core.infra.i18n import message
from core.infra.tenancy import in_city
from schema.admin.access import AdminRequest, Refused, admin_request

CHUNK = 64 * 1024
CSV_BATCH = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _csv(spec: Export, req: AdminRequest) -> AsyncIterator[bytes]:
    # The byte-order mark makes spreadsheet programs read the Chinese names as UTF-8.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(spec.columns)
    with in_city(req.city):
        n = 0
        async for row in spec.rows(req.area, req.as_of):
            writer.writerow(row)
            n += 1
            if n % CSV_BATCH == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode()


async def _xlsx(spec: Export, what: str, req: AdminRequest) -> AsyncIterator[bytes]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=what[:31])
    sheet.append(list(spec.columns))
    with in_city(req.city):
        async for row in spec.rows(req.area, req.as_of):
            sheet.append(row)
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        await run_in_threadpool(book.save, path)
        with open(path, "rb") as f:  # noqa: ASYNC230 - local temp file, read in chunks
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


async def export(request: Request) -> Response:
    try:
        req = await admin_request(request)
    except Refused as refused:
        return refused.response
    what, fmt = request.path_params["what"], request.path_params["fmt"]
    spec = EXPORTS.get(what)
    if spec is None or fmt not in ("csv", "xlsx"):
        return PlainTextResponse(
            message("UNKNOWN_EXPORT", req.lang, what=f"{what}.{fmt}"), status_code=404
        )
    filename = f"{req.city}-{what}-{req.as_of.isoformat()}.{fmt}"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    if fmt == "csv":
        return StreamingResponse(
            _csv(spec, req), media_type="text/csv; charset=utf-8", headers=headers
        )
    return StreamingResponse(_xlsx(spec, what, req), media_type=XLSX_TYPE, headers=headers)

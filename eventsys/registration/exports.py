"""The participant list as CSV and XLSX files for the organisers (catering, name tags,
accessibility arrangements)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from eventsys.database import current_timezone, local_date, utcnow
from eventsys.events.models import Event
from eventsys.registration import operations as reg_ops
from eventsys.registration.forms import STATE_LABELS, TIER_REASON_LABELS
from eventsys.registration.models import Registration

# A cell that starts with one of these is a formula to Excel and LibreOffice; a
# participant's free text must never run as one (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 18


def columns() -> list[Column]:
    return [
        Column(_("Name"), 24),
        Column(_("E-mail address"), 30),
        Column(_("State"), 22),
        Column(_("Priority tier"), 8),
        Column(_("Tier reason"), 30),
        Column(_("Organisation"), 28),
        Column(_("Place on the waiting list"), 10),
        Column(_("Fee due (NOK)"), 12),
        Column(_("Fee waived"), 10),
        Column(_("Beyond capacity"), 10),
        Column(_("Dietary needs"), 40),
        Column(_("Accessibility needs"), 40),
        Column(_("Registered at"), 18),
    ]


def rows(event: Event, registrations: list[Registration], positions: dict[int, int]) -> list[list]:
    """One row of typed values per registration (text, int, Decimal, naive Oslo time)."""
    zone = current_timezone()
    yes, no = _("yes"), _("no")
    result = []
    for reg in registrations:
        result.append(
            [
                reg.name,
                reg.email,
                str(STATE_LABELS.get(reg.state.value, reg.state.value)),
                reg.tier,
                str(TIER_REASON_LABELS.get(reg.tier_reason, reg.tier_reason)),
                reg.organisation.name if reg.organisation else "",
                positions.get(reg.id),
                Decimal(reg_ops.fee_due(event, reg)) / 100,
                yes if reg.fee_waived else no,
                yes if reg.over_capacity else no,
                reg.dietary_needs,
                reg.accessibility_needs,
                reg.registered_at.astimezone(zone).replace(tzinfo=None, microsecond=0),
            ]
        )
    return result


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def to_csv(event: Event, registrations, positions) -> bytes:
    """Semicolon-separated UTF-8 with a byte order mark. Excel with Norwegian settings
    uses the comma as decimal sign and so expects ';' between fields, and it reads
    UTF-8 (æ, ø, å) correctly only when the file starts with a BOM; LibreOffice and
    Numbers read this too. Amounts use the decimal comma for the same reason."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.title for c in columns()])
    for row in rows(event, registrations, positions):
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(event: Event, registrations, positions) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participants")[:31]
    cols = columns()
    sheet.append([c.title for c in cols])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(event, registrations, positions):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    for index, column in enumerate(cols, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = column.width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(event: Event, fmt: str) -> Response:
    """The participant list as a file to save (for the organiser pages and the API).
    The download is noted on the event: the staff dashboard asks for one before the
    event starts (the views mark themselves `writes_database`)."""
    listed, _cancelled, positions = reg_ops.participant_list(event.id)
    event.participants_exported_at = utcnow()
    body = to_csv(event, listed, positions) if fmt == "csv" else to_xlsx(event, listed, positions)
    day = local_date(event.starts_at).isoformat()
    return Response(
        body,
        mimetype=MIMETYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="deltakere-{event.id}-{day}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )

"""Pure renderers of the counts and lists: a typed view in, bytes out (CSV, PDF).

CSV files open in a spreadsheet: ``;`` separated, UTF-8 with a BOM, and a cell starting with
``=``, ``+``, ``-``, ``@`` (or a tab, a carriage return) is prefixed with ``'`` so it is never
read as a formula (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from marelle_booking.counts.schemas import ExpectedList, MealCounts

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def french_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def meal_counts_csv(view: MealCounts) -> bytes:
    return csv_bytes(
        ["Jour", "Site", "Régime", "Repas"],
        (
            [french_day(line.day), line.site_name, line.diet_label, line.count]
            for line in view.lines
        ),
    )


def expected_csv(view: ExpectedList) -> bytes:
    return csv_bytes(
        ["Nom", "Prénom", "École", "Classe", "Régime", "PAI", "État", "Personnes autorisées"],
        (
            [
                c.last_name,
                c.first_name,
                c.school or "",
                c.level or "",
                c.diet or "",
                "oui" if c.pai else "non",
                c.state,
                " ; ".join(c.pick_up),
            ]
            for c in view.children
        ),
    )


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    styles = getSampleStyleSheet()
    body = [[Paragraph(escape(cell), styles["BodyText"]) for cell in row] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _document(title: str, subtitle: str, table: Table, *, wide: bool = False) -> bytes:
    buffer = io.BytesIO()
    size = landscape(A4) if wide else A4
    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        title=title,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    styles = getSampleStyleSheet()
    doc.build(
        [
            Paragraph(escape(title), styles["Title"]),
            Paragraph(escape(subtitle), styles["Normal"]),
            Spacer(1, 0.4 * cm),
            table,
        ]
    )
    return buffer.getvalue()


def meal_counts_pdf(view: MealCounts, *, title: str = "Commande de repas") -> bytes:
    rows = [["Jour", "Site", "Régime", "Repas"]]
    rows += [
        [french_day(line.day), line.site_name, line.diet_label, str(line.count)]
        for line in view.lines
    ]
    rows.append(["Total", "", "", str(view.total)])
    subtitle = f"Du {french_day(view.first_day)} au {french_day(view.last_day)}"
    return _document(title, subtitle, _table(rows, [3 * cm, 6.5 * cm, 5 * cm, 2.5 * cm]))


def expected_pdf(view: ExpectedList) -> bytes:
    rows = [["Nom", "Prénom", "Classe", "Régime", "PAI", "État", "Personnes autorisées"]]
    rows += [
        [
            c.last_name,
            c.first_name,
            " ".join(p for p in (c.school or "", c.level or "") if p),
            c.diet or "",
            "PAI" if c.pai else "",
            c.state,
            "\n".join(c.pick_up),
        ]
        for c in view.children
    ]
    title = f"{view.activity_name} — {view.site_name}"
    subtitle = f"Enfants attendus le {french_day(view.day)} : {len(view.children)}"
    widths = [3.5 * cm, 3 * cm, 5 * cm, 2.5 * cm, 1.3 * cm, 3 * cm, 7.5 * cm]
    return _document(title, subtitle, _table(rows, widths), wide=True)

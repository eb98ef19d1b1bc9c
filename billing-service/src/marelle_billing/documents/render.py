"""Pure ReportLab renderers: a typed view in, PDF bytes out (no database, no clock).

The canvas API is used directly (about twice as fast as platypus for a one-page invoice); long
invoices continue on further pages with the table header repeated.
"""

from __future__ import annotations

import functools
import io

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from marelle_billing.documents.views import InvoiceView, ReceiptView
from marelle_billing.money import french_date

WIDTH, HEIGHT = A4
MARGIN = 15 * mm
INK = HexColor("#1d2733")
MUTED = HexColor("#5b6673")
RULE = HexColor("#c9d1da")
ACCENT = HexColor("#1f5f8b")
BAND = HexColor("#eef3f7")
# Text the standard PDF fonts (WinAnsi) cannot show, replaced by what they can.
_REPLACE = str.maketrans({"\u202f": "\u00a0", "\u2212": "-", "\u2009": " ", "\u2011": "-"})

# Table columns: x start of each, and the right edge.
COLUMNS = {
    "item": MARGIN,
    "dates": MARGIN + 62 * mm,
    "quantity": MARGIN + 118 * mm,
    "unit": MARGIN + 138 * mm,
    "amount": WIDTH - MARGIN,
}


def _t(text: str) -> str:
    return text.translate(_REPLACE)


@functools.lru_cache(maxsize=4096)
def _split(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Wrapped lines of a text (dates and rules repeat from one invoice to the next: a run
    measures each once)."""
    return tuple(simpleSplit(_t(text), font, size, width))


class _Page:
    """A page's text goes into one PDF text object (one BT/ET block), flushed when the page
    ends: far fewer operators and objects than one drawString per piece of text."""

    def __init__(self, canvas: Canvas, title: str, number: str) -> None:
        self.c = canvas
        self.title = title
        self.number = number
        self.page = 1
        self.y = HEIGHT - MARGIN
        self._text = canvas.beginText()
        self._code: list[str] = self._text._code
        self._font: tuple[str, float] | None = None
        self._color: Color | None = None

    def style(self, font: str, size: float, color: Color) -> None:
        """Set font and colour only when they change."""
        if self._font != (font, size):
            self._text.setFont(font, size)
            self._font = (font, size)
        if self._color is not color:
            self._text.setFillColor(color)
            self._color = color

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 9,
        bold: bool = False,
        color: Color = INK,
        right: bool = False,
    ) -> None:
        font = "Helvetica-Bold" if bold else "Helvetica"
        self.style(font, size, color)
        shown = _t(text)
        if right:
            x -= stringWidth(shown, font, size)
        self._show(x, y, shown)

    def _show(self, x: float, y: float, shown: str) -> None:
        """Place and show a string: the two operators ReportLab's setTextOrigin and textOut
        write for a standard font (WinAnsi), written at once (several times faster; a run
        prints tens of thousands of them)."""
        encoded = escapePDF(shown.encode("cp1252", errors="replace"))
        self._code.append(f"1 0 0 1 {fp_str(x)} {fp_str(y)} Tm ({encoded}) Tj")

    def flush(self) -> None:
        self.c.drawText(self._text)
        self._text = self.c.beginText()
        self._code = self._text._code
        self._font = self._color = None

    def wrapped(
        self,
        x: float,
        y: float,
        text: str,
        width: float,
        *,
        size: float = 8,
        color: Color = INK,
        bold: bool = False,
        italic: bool = False,
    ) -> float:
        font = "Helvetica-Oblique" if italic else ("Helvetica-Bold" if bold else "Helvetica")
        lines = _split(text, font, size, width)
        self.style(font, size, color)
        for line in lines:
            self._show(x, y, line)
            y -= size + 2
        return y

    def need(self, height: float) -> bool:
        """Start a new page when ``height`` does not fit; True when it did."""
        if self.y - height >= MARGIN + 12 * mm:
            return False
        self.footer()
        self.flush()
        self.c.showPage()
        self.page += 1
        self.y = HEIGHT - MARGIN
        self.text(MARGIN, self.y - 4, f"{self.title} {self.number} (suite)", size=10, bold=True)
        self.y -= 14 * mm
        return True

    def footer(self) -> None:
        self.text(
            WIDTH - MARGIN,
            MARGIN - 4,
            f"{self.number} — page {self.page}",
            size=7,
            color=MUTED,
            right=True,
        )


def _table_header(page: _Page) -> None:
    c = page.c
    c.setFillColor(BAND)
    c.rect(MARGIN, page.y - 5 * mm, WIDTH - 2 * MARGIN, 6.5 * mm, stroke=0, fill=1)
    y = page.y - 3.2 * mm
    page.text(COLUMNS["item"] + 1.5 * mm, y, "Enfant / activité", size=8, bold=True)
    page.text(COLUMNS["dates"], y, "Dates", size=8, bold=True)
    page.text(COLUMNS["quantity"] + 14 * mm, y, "Qté", size=8, bold=True, right=True)
    page.text(COLUMNS["unit"] + 20 * mm, y, "Prix unitaire", size=8, bold=True, right=True)
    page.text(COLUMNS["amount"] - 1.5 * mm, y, "Montant", size=8, bold=True, right=True)
    page.y -= 9 * mm


def _header(
    page: _Page,
    view_title: str,
    tenant: str,
    payee: str,
    address: str,
    details: list[tuple[str, str]],
) -> None:
    top = HEIGHT - MARGIN
    page.text(MARGIN, top - 4 * mm, tenant, size=13, bold=True, color=ACCENT)
    y = top - 10 * mm
    page.text(MARGIN, y, payee, size=9)
    for line in address.splitlines()[:4]:
        y -= 4 * mm
        page.text(MARGIN, y, line, size=8, color=MUTED)
    page.text(WIDTH - MARGIN, top - 4 * mm, view_title, size=15, bold=True, right=True)
    y2 = top - 11 * mm
    for label, value in details:
        page.text(WIDTH - MARGIN - 38 * mm, y2, label, size=8, color=MUTED, right=True)
        page.text(WIDTH - MARGIN, y2, value, size=8.5, bold=True, right=True)
        y2 -= 4.5 * mm
    page.y = min(y, y2) - 6 * mm


def render_invoice(view: InvoiceView) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    credit = view.kind == "credit_note"
    title = "AVOIR" if credit else "FACTURE"
    canvas.setTitle(f"{'Avoir' if credit else 'Facture'} {view.number}")
    canvas.setAuthor(view.tenant_name)
    page = _Page(canvas, title.capitalize(), view.number)
    details = [
        ("N°", view.number),
        ("Date d'émission", french_date(view.issue_date)),
        ("Période", view.period_label),
        ("N° de famille", view.family_number),
    ]
    if not credit:
        details.insert(2, ("À payer avant le", french_date(view.due_date)))
    _header(page, title, view.tenant_name, view.payee_name, view.payee_address, details)

    # The addressee, in a window-envelope position.
    box_x = WIDTH / 2 + 5 * mm
    y = page.y - 2 * mm
    for index, text in enumerate(view.addressee[:5]):
        page.text(box_x, y, text, size=10 if index == 0 else 9, bold=index == 0)
        y -= 5 * mm
    page.y = y - 6 * mm
    if credit and (view.corrects or view.reason):
        if view.corrects:
            page.text(MARGIN, page.y, f"Avoir sur la facture {view.corrects}", size=9, bold=True)
            page.y -= 5 * mm
        if view.reason:
            page.y = (
                page.wrapped(MARGIN, page.y, f"Motif : {view.reason}", WIDTH - 2 * MARGIN, size=8.5)
                - 2 * mm
            )

    _table_header(page)
    for line in view.lines:
        dates = _split(line.dates, "Helvetica", 7.5, 54 * mm)[:6]
        rule = _split(line.rule, "Helvetica-Oblique", 7, WIDTH - 2 * MARGIN - 6 * mm)[:3]
        height = max(2, len(dates)) * 9.5 + len(rule) * 9 + 6
        if page.need(height):
            _table_header(page)
        top = page.y
        page.text(COLUMNS["item"] + 1.5 * mm, top, line.child, size=8.5, bold=True)
        page.text(COLUMNS["item"] + 1.5 * mm, top - 10, line.activity, size=8)
        yy = top
        for text in dates:
            page.text(COLUMNS["dates"], yy, text, size=7.5)
            yy -= 9.5
        page.text(COLUMNS["quantity"] + 14 * mm, top, line.quantity, size=8.5, right=True)
        page.text(COLUMNS["unit"] + 20 * mm, top, line.unit_price, size=8.5, right=True)
        page.text(COLUMNS["amount"] - 1.5 * mm, top, line.amount, size=8.5, bold=True, right=True)
        yy = min(yy, top - 20)
        for text in rule:
            page.text(COLUMNS["item"] + 4 * mm, yy, text, size=7, color=MUTED)
            yy -= 9
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, yy + 4, WIDTH - MARGIN, yy + 4)
        page.y = yy - 4

    # Totals, deductions, what is left to pay.
    rows = [("Total", view.total, True)]
    rows += [(label, amount, False) for label, amount in view.deductions]
    if not credit:
        rows.append(("Reste à payer", view.amount_due, True))
    page.need(len(rows) * 6 * mm + 40 * mm)
    y = page.y - 2 * mm
    for label, amount, strong in rows:
        page.text(
            WIDTH - MARGIN - 40 * mm, y, label, size=9.5 if strong else 8.5, bold=strong, right=True
        )
        page.text(
            WIDTH - MARGIN - 1.5 * mm,
            y,
            amount,
            size=9.5 if strong else 8.5,
            bold=strong,
            right=True,
        )
        y -= 5.5 * mm
    y -= 2 * mm
    page.text(MARGIN, y, view.balance_label, size=8.5, bold=True)
    y -= 7 * mm
    if view.how_to_pay:
        page.text(MARGIN, y, "Comment payer", size=9.5, bold=True, color=ACCENT)
        y -= 5 * mm
        for text in view.how_to_pay:
            y = page.wrapped(MARGIN, y, f"• {text}", WIDTH - 2 * MARGIN, size=8) - 1
    page.y = y
    page.footer()
    page.flush()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_receipt(view: ReceiptView) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Reçu {view.number}")
    page = _Page(canvas, "Reçu", view.number)
    _header(
        page,
        "REÇU",
        view.tenant_name,
        view.payee_name,
        view.payee_address,
        [
            ("N°", view.number),
            ("Date", french_date(view.received_on)),
            ("N° de famille", view.family_number),
        ],
    )
    y = page.y - 4 * mm
    page.text(
        MARGIN, y, f"Reçu de {view.household_name} la somme de {view.amount}", size=11, bold=True
    )
    y -= 7 * mm
    mode = view.mode + (f" — {view.reference}" if view.reference else "")
    page.text(MARGIN, y, f"Mode de paiement : {mode}", size=9)
    y -= 8 * mm
    if view.allocations:
        page.text(MARGIN, y, "Affecté à", size=9.5, bold=True, color=ACCENT)
        y -= 5 * mm
        for invoice, amount in view.allocations:
            page.text(MARGIN + 4 * mm, y, f"Facture {invoice}", size=9)
            page.text(WIDTH - MARGIN, y, amount, size=9, right=True)
            y -= 5 * mm
    if view.credit:
        page.text(MARGIN, y - 2 * mm, f"Crédit sur le compte : {view.credit}", size=9, bold=True)
    page.footer()
    page.flush()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

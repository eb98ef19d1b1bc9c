"""The pure PDF renderers: a typed view in, PDF bytes out; what a family reads is in them."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import date

from marelle_billing.documents.render import render_invoice, render_receipt
from marelle_billing.documents.views import InvoiceView, LineView, ReceiptView


def shown_text(pdf: bytes) -> str:
    """The strings the pages show (decompressed content streams, Tj operands)."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):  # ReportLab's ASCII85 over Flate
            data = base64.a85decode(data[:-2].replace(b"\n", b""))
        try:
            content = zlib.decompress(data)
        except zlib.error:
            continue
        text += re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content)
    decoded = [
        re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), t).replace(b"\\", b"")
        for t in text
    ]
    return "\n".join(t.decode("cp1252") for t in decoded)


def view(lines: int = 3, **values: object) -> InvoiceView:
    base: dict[str, object] = {
        "kind": "invoice",
        "tenant_name": "Mairie de Démonstration",
        "payee_name": "Régie enfance",
        "payee_address": "1 place de la Mairie\n69100 Villeurbanne",
        "number": "F2026-000042",
        "issue_date": date(2026, 12, 1),
        "due_date": date(2026, 12, 20),
        "period_label": "novembre 2026",
        "family_number": "000007",
        "addressee": ["Famille Martin", "Claire Martin", "69100 Villeurbanne"],
        "lines": [
            LineView(
                "Léa Martin",
                "Restauration scolaire",
                "2, 3, 5 au 9 nov. 2026",
                "6",
                "5,20 €",
                "QF non fourni : QF 1201 € et plus",
                "31,20 €",
            )
            for _ in range(lines)
        ],
        "total": "93,60 €",
        "deductions": [("Déjà réglé (espèces du 02/12/2026)", "−10,00 €")],
        "amount_due": "83,60 €",
        "balance_label": "Solde de votre compte au 01/12/2026 : 83,60 € à payer",
        "how_to_pay": ["En ligne sur le portail famille jusqu'au 20/12/2026."],
    }
    base.update(values)
    return InvoiceView(**base)  # type: ignore[arg-type]


def test_an_invoice_shows_its_lines_rules_deductions_balance_and_how_to_pay() -> None:
    pdf = render_invoice(view())
    assert pdf.startswith(b"%PDF")
    text = shown_text(pdf)
    for expected in (
        "FACTURE",
        "F2026-000042",
        "20/12/2026",
        "Léa Martin",
        "2, 3, 5 au 9 nov. 2026",
        "5,20 €",
        "QF non fourni : QF 1201 € et plus",
        "31,20 €",
        "-10,00 €",
        "Reste à payer",
        "83,60 €",
        "Comment payer",
        "Solde de votre compte",
    ):
        assert expected in text, expected
    assert b"/Count 1" in pdf


def test_a_long_invoice_continues_on_more_pages_with_its_header_again() -> None:
    pdf = render_invoice(view(lines=60))
    text = shown_text(pdf)
    assert text.count("Enfant / activité") >= 3
    assert "Facture F2026-000042 (suite)" in text
    assert re.search(rb"/Count [3-9]", pdf)


def test_a_credit_note_says_what_it_corrects_and_why_and_has_nothing_to_pay() -> None:
    text = shown_text(
        render_invoice(
            view(
                kind="credit_note",
                number="AV2026-000001",
                corrects="F2026-000042",
                reason="Grève du 3",
            )
        )
    )
    assert "AVOIR" in text and "Avoir sur la facture F2026-000042" in text
    assert "Motif : Grève du 3" in text and "Reste à payer" not in text


def test_a_receipt() -> None:
    text = shown_text(
        render_receipt(
            ReceiptView(
                tenant_name="Mairie",
                payee_name="Régie",
                payee_address="",
                number="R2026-000003",
                received_on=date(2026, 12, 2),
                family_number="000007",
                household_name="Famille Martin",
                mode="Chèque",
                reference="n° 0012",
                amount="50,00 €",
                allocations=[("F2026-000042", "50,00 €")],
                credit=None,
            )
        )
    )
    assert "REÇU" in text and "R2026-000003" in text and "Chèque — n° 0012" in text

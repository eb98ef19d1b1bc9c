"""The readable copy of a household's data (ReportLab): the same content as the JSON export,
laid out for a parent, in French."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from marelle_family.catalogue import FIELD_GROUP_LABELS, REQUEST_STATUSES
from marelle_kit import formats

HOUSEHOLD_FIELDS = [
    ("family_number", "N° famille"),
    ("name", "Foyer"),
    ("address_street", "Adresse"),
    ("address_complement", "Complément d'adresse"),
    ("postcode", "Code postal"),
    ("city", "Ville"),
    ("phone", "Téléphone"),
    ("email_authorised", "Accepte les courriels"),
    ("sms_authorised", "Accepte les SMS"),
    ("quotient", "Quotient familial (€)"),
    ("quotient_valid_until", "Quotient valable jusqu'au"),
    ("benefits_scheme", "Régime (CAF/MSA)"),
    ("benefits_number", "N° d'allocataire"),
    ("insurer", "Assureur"),
    ("insurance_number", "N° de contrat"),
    ("insurance_valid_until", "Assurance valable jusqu'au"),
    ("certified_at", "Informations certifiées à jour le"),
]
GUARDIAN_FIELDS = [
    ("first_name", "Prénom"),
    ("last_name", "Nom"),
    ("email", "Adresse e-mail"),
    ("phone", "Téléphone"),
    ("work_phone", "Téléphone professionnel"),
    ("profession", "Profession"),
    ("employer", "Employeur"),
    ("parental_authority", "Autorité parentale"),
]
CHILD_FIELDS = [
    ("first_name", "Prénom"),
    ("last_name", "Nom"),
    ("birth_date", "Date de naissance"),
    ("birth_place", "Lieu de naissance"),
    ("school", "École"),
    ("level", "Niveau"),
    ("school_year", "Année scolaire"),
    ("diet", "Régime alimentaire"),
    ("pai", "PAI"),
    ("vaccinations_up_to_date", "Vaccinations à jour"),
    ("consent_photo", "Autorisation photo"),
    ("consent_outings", "Autorisation de sortie"),
    ("consent_leave_alone", "Autorisé à partir seul"),
    ("consent_hospitalisation", "Autorisation d'hospitalisation"),
    ("validated_at", "Fiche validée le"),
]
AUTHORITY = {"yes": "oui", "no": "non", "unknown": "non renseignée"}


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "oui"
    if value is False:
        return "non"
    if isinstance(value, str):
        for parse in (datetime.fromisoformat, date.fromisoformat):
            try:
                parsed = parse(value)
            except ValueError:
                continue
            if isinstance(parsed, datetime) and ("T" in value or " " in value):
                # Instants are UTC (an SQLite-backed service may omit the offset): Paris time.
                aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
                return formats.moment(aware)
            if len(value) == 10:  # a calendar day
                return formats.day(parsed.date() if isinstance(parsed, datetime) else parsed)
    return str(value)


def _table(rows: list[tuple[str, str]]) -> Table:
    styles = getSampleStyleSheet()
    data = [
        [Paragraph(escape(label), styles["BodyText"]), Paragraph(escape(value), styles["BodyText"])]
        for label, value in rows
    ]
    table = Table(data, colWidths=[6 * cm, 10.5 * cm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def render_export(export: dict[str, Any]) -> bytes:
    styles = getSampleStyleSheet()
    household = export["household"]
    story: list[Any] = [
        Paragraph(escape(f"Données détenues sur le foyer {household['name']}"), styles["Title"]),
        Paragraph(
            escape(
                f"Responsable du traitement : {export['controller']}. "
                f"Document établi le {_text(export['generated_at'])}."
            ),
            styles["BodyText"],
        ),
        Spacer(1, 0.4 * cm),
        Paragraph("Le foyer", styles["Heading2"]),
        _table([(label, _text(household.get(key))) for key, label in HOUSEHOLD_FIELDS]),
    ]
    for guardian in household["guardians"]:
        rows = [(label, _text(guardian.get(key))) for key, label in GUARDIAN_FIELDS]
        rows[-1] = (rows[-1][0], AUTHORITY.get(guardian.get("parental_authority"), "—"))
        story += [
            Paragraph(escape(f"Responsable légal {guardian['rank']}"), styles["Heading2"]),
            _table(rows),
        ]
    for child in household["children"]:
        story += [
            Paragraph(
                escape(f"Enfant : {child['first_name']} {child['last_name']}"), styles["Heading2"]
            ),
            _table([(label, _text(child.get(key))) for key, label in CHILD_FIELDS]),
        ]
        for contact in child["contacts"]:
            roles = [
                role
                for role, on in (
                    ("peut venir chercher l'enfant", contact["pick_up"]),
                    ("à prévenir en urgence", contact["emergency"]),
                )
                if on
            ]
            story += [
                Spacer(1, 0.2 * cm),
                _table(
                    [
                        ("Personne autorisée", f"{contact['first_name']} {contact['last_name']}"),
                        ("Lien avec l'enfant", contact["relationship"]),
                        ("Téléphone", contact["phone"]),
                        ("Rôle", ", ".join(roles)),
                    ]
                ),
            ]
    if export["change_requests"]:
        story.append(Paragraph("Demandes de modification", styles["Heading2"]))
        for request in export["change_requests"]:
            group = request["field_group"]
            story += [
                _table(
                    [
                        ("Objet", FIELD_GROUP_LABELS.get(group, group)),
                        ("Déposée le", _text(request["created_at"])),
                        ("État", REQUEST_STATUSES.get(request["status"], request["status"])),
                        ("Motif", _text(request["reason"])),
                    ]
                ),
                Spacer(1, 0.2 * cm),
            ]
    if export["documents"]:
        story.append(Paragraph("Documents", styles["Heading2"]))
        story.append(
            _table(
                [
                    (d["name"], f"{d['content_type']}, {d['size']} octets")
                    for d in export["documents"]
                ]
            )
        )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Données du foyer {household['family_number']}",
        author=export["controller"],
        leftMargin=2 * cm,
        rightMargin=2 * cm,
    )
    document.build(story)
    return buffer.getvalue()

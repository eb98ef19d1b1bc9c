"""The templates Marelle ships (French), each a tenant can edit: its key, what it is for, the
merge fields it may use (with a sample value, for previews and the editor's checks). The texts
themselves are files under templates/shipped/<key>/ (subject.txt, body.html, body.txt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from marelle_mailing.composing.rendering import TemplateSource

SHIPPED = Path(__file__).parent.parent / "templates" / "shipped"

Purpose = Literal["notification", "mailing"]

# Merge fields every template may use.
COMMON_FIELDS: dict[str, tuple[str, Any]] = {
    "commune": ("Nom de la structure", "Mairie de Démonstration"),
    "portail": ("Adresse du portail des familles", "https://portail.exemple.fr"),
}
# The fields of a household (mailings and notifications to a family).
HOUSEHOLD_FIELDS: dict[str, tuple[str, Any]] = {
    "foyer": ("Nom du foyer", "ALAIN"),
    "numero_famille": ("N° de famille", "000042"),
    "prenom": ("Prénom du destinataire", "Paul"),
    "responsables": ("Noms des responsables légaux", "Paul ALAIN et Lucie ALAIN"),
    "enfants": ("Prénoms des enfants", "Théo et Anna"),
    "montant_du": ("Montant dû (vide si rien n'est dû)", "12,50 €"),
}


@dataclass(frozen=True)
class Shipped:
    key: str
    purpose: Purpose
    name: str
    fields: dict[str, tuple[str, Any]] = field(default_factory=dict)
    household: bool = True

    @property
    def all_fields(self) -> dict[str, tuple[str, Any]]:
        return {**COMMON_FIELDS, **(HOUSEHOLD_FIELDS if self.household else {}), **self.fields}

    def sample(self) -> dict[str, Any]:
        return {name: sample for name, (_label, sample) in self.all_fields.items()}

    @property
    def source(self) -> TemplateSource:
        return _source(self.key)


@cache
def _source(key: str) -> TemplateSource:
    folder = SHIPPED / key
    return TemplateSource(
        subject=(folder / "subject.txt").read_text(encoding="utf-8").strip(),
        html=(folder / "body.html").read_text(encoding="utf-8"),
        text=(folder / "body.txt").read_text(encoding="utf-8"),
    )


_LINK = ("Lien vers la page du portail", "https://portail.exemple.fr/...")
_LINES = (
    "Détail (enfant, activité, jour), une ligne par jour",
    ["Théo — Repas — mardi 20 janvier 2026"],
)

CATALOG: dict[str, Shipped] = {
    t.key: t
    for t in (
        Shipped(
            "portal_invitation",
            "mailing",
            "Invitation au portail des familles (nouveau mode de connexion)",
        ),
        Shipped("information", "mailing", "Information aux familles (modèle vide)"),
        Shipped(
            "message_to_family",
            "notification",
            "Nouveau message d'un service (à la famille)",
            {
                "service": ("Service qui écrit", "Service enfance"),
                "objet": ("Objet de la conversation", "Enfant malade"),
                "message": (
                    "Texte du message (vide si la structure ne le reprend pas)",
                    "Bonjour…",
                ),
                "lien": _LINK,
            },
        ),
        Shipped(
            "message_to_service",
            "notification",
            "Nouveau message d'une famille (au service)",
            {
                "service": ("Service destinataire", "Service enfance"),
                "objet": ("Objet de la conversation", "Enfant malade"),
                "message": (
                    "Texte du message (vide si la structure ne le reprend pas)",
                    "Bonjour…",
                ),
                "lien": _LINK,
            },
        ),
        Shipped(
            "booking_refused",
            "notification",
            "Réservation refusée",
            {"lignes": _LINES, "motif": ("Motif du refus (peut être vide)", "Groupe complet")},
        ),
        Shipped(
            "booking_granted",
            "notification",
            "Place accordée (liste d'attente ou demande acceptée)",
            {
                "lignes": _LINES,
                "liste_attente": ("Vrai si la place vient de la liste d'attente", True),
                "lien": _LINK,
            },
        ),
        Shipped(
            "closure",
            "notification",
            "Fermeture ou grève : réservations annulées",
            {
                "fermeture": ("Intitulé de la fermeture", "Grève du 12 mars"),
                "motif": ("Motif", "grève"),
                "du": ("Premier jour", "12/03/2026"),
                "au": ("Dernier jour", "12/03/2026"),
                "lignes": _LINES,
            },
        ),
        Shipped(
            "change_request_decided",
            "notification",
            "Demande de modification acceptée ou refusée",
            {
                "rubrique": ("Rubrique du dossier", "Scolarité"),
                "acceptee": ("Vrai si la demande est acceptée", False),
                "motif": ("Motif du refus (vide si acceptée)", "Justificatif manquant"),
                "lien": _LINK,
            },
        ),
        Shipped(
            "document_expiring",
            "notification",
            "Document bientôt expiré",
            {
                "document": ("Document concerné", "attestation de quotient familial"),
                "date_expiration": ("Date d'expiration", "31/12/2026"),
                "lien": _LINK,
            },
        ),
        Shipped(
            "deadline_reminder",
            "notification",
            "Rappel de la date butoir des réservations",
            {
                "date_butoir": (
                    "Date et heure de la date butoir",
                    "jeudi 15 janvier 2026 à 23 h 59",
                ),
                "semaine": ("Semaine concernée", "du lundi 19 au vendredi 23 janvier 2026"),
                "lien": _LINK,
            },
        ),
        Shipped(
            "account_locked",
            "notification",
            "Compte bloqué après trop d'essais",
            {
                "jusqu_au": ("Fin du blocage", "23/11/2026 à 10 h 30"),
                "lien": _LINK,
            },
            household=False,
        ),
        Shipped(
            "invoice_issued",
            "notification",
            "Nouvelle facture",
            {
                "facture_numero": ("N° de facture", "2026-000123"),
                "facture_montant": ("Montant de la facture", "48,20 €"),
                "facture_echeance": ("Date d'échéance (peut être vide)", "15/02/2026"),
                "lien": _LINK,
            },
        ),
        Shipped(
            "payment_received",
            "notification",
            "Paiement reçu",
            {
                "paiement_montant": ("Montant payé", "48,20 €"),
                "facture_numero": ("N° de facture (peut être vide)", "2026-000123"),
                "lien": _LINK,
            },
        ),
        Shipped(
            "payment_failed",
            "notification",
            "Paiement refusé ou abandonné",
            {
                "paiement_montant": ("Montant du paiement", "48,20 €"),
                "facture_numero": ("N° de facture (peut être vide)", "2026-000123"),
                "motif": ("Motif donné par le prestataire (peut être vide)", "Paiement refusé"),
                "lien": _LINK,
            },
        ),
    )
}


def shipped(key: str) -> Shipped | None:
    return CATALOG.get(key)

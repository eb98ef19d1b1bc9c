"""Reading the CSV file a town exports from its former software: encoding (UTF-8 with or without
BOM, else Windows-1252), delimiter (";" or ","), header names whatever their case, accents or
spaces, dates as JJ/MM/AAAA."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

HOUSEHOLD_COLUMNS = (
    "ref_foyer",
    "nom_foyer",
    "rl1_nom",
    "rl1_prenom",
    "rl1_email",
    "rl1_telephone",
    "rl2_nom",
    "rl2_prenom",
    "rl2_email",
    "rl2_telephone",
    "adresse",
    "code_postal",
    "ville",
    "telephone_foyer",
    "quotient",
    "quotient_fin_validite",
)
CHILD_COLUMNS = (
    "enfant_nom",
    "enfant_prenom",
    "enfant_date_naissance",
    "ecole",
    "niveau",
    "annee_scolaire",
    "regime",
)
COLUMNS = HOUSEHOLD_COLUMNS + CHILD_COLUMNS
REQUIRED = ("ref_foyer", "nom_foyer")


class FileUnreadable(ValueError):
    """The file as a whole cannot be read (not a CSV, unknown or missing columns...)."""


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def header_key(name: str) -> str:
    """« Date de naissance enfant », « ENFANT_DATE_NAISSANCE » -> "enfant_date_naissance"."""
    plain = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def read_rows(data: bytes, *, max_rows: int) -> list[Row]:
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        raise FileUnreadable("Le fichier n'est ni en UTF-8 ni en Windows-1252.") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise FileUnreadable("Le fichier est vide.") from exc
    keys = [header_key(name) for name in header]
    unknown = [name for name, key in zip(header, keys, strict=True) if key not in COLUMNS]
    if unknown:
        raise FileUnreadable(
            "Colonnes inconnues : "
            + ", ".join(unknown)
            + ". Colonnes possibles : "
            + ", ".join(COLUMNS)
            + "."
        )
    missing = [name for name in REQUIRED if name not in keys]
    if missing:
        raise FileUnreadable("Colonnes obligatoires absentes : " + ", ".join(missing) + ".")
    rows: list[Row] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                raise FileUnreadable(f"Le fichier dépasse {max_rows} lignes.")
            values = {
                key: (cells[i].strip() if i < len(cells) else "") for i, key in enumerate(keys)
            }
            rows.append(Row(reader.line_num, values))
    except csv.Error as exc:
        raise FileUnreadable(
            f"Le fichier n'est pas un CSV lisible (ligne {reader.line_num})."
        ) from exc
    return rows


def french_date(value: str) -> str:
    """JJ/MM/AAAA (or AAAA-MM-JJ) as an ISO date; ValueError with a French message."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError("date attendue au format JJ/MM/AAAA")

"""Reading the CSV file a town exports from its former software: encoding (UTF-8 with or without
BOM, else Windows-1252), delimiter (";" or ","), header names whatever their case, accents or
spaces, dates as JJ/MM/AAAA. Whatever makes the whole file unreadable is raised here; what is
wrong with one row is left to the import, which reports it with the row's line."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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

_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
# The first bytes of the spreadsheets people send instead of their CSV export.
_SPREADSHEETS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


class FileUnreadable(ValueError):
    """The file as a whole cannot be read (not a CSV, unknown or missing columns...)."""


class TooManyRows(FileUnreadable):
    """The file has more data rows than one import takes."""


@dataclass(frozen=True)
class Row:
    """One data row: its 1-based line in the file (the header is line 1), its values by
    column key (an absent column reads as ""), and how many non-empty cells it has beyond
    the header's columns (a delimiter inside an unquoted value shifts the cells)."""

    line: int
    values: dict[str, str]
    extra_cells: int = 0


class _Reader(Protocol):
    """What is used of a ``csv.reader``."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


def _cell(value: str) -> str:
    """A cell's value trimmed; a line break inside a quoted value (an address on two lines)
    becomes a space, as no field of a record spans lines."""
    return _LINE_BREAKS.sub(" ", value).strip()


def header_key(name: str) -> str:
    """« Date de naissance enfant », « ENFANT_DATE_NAISSANCE » -> "enfant_date_naissance"."""
    plain = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252; UnicodeDecodeError if neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def delimiter_of(header_line: str) -> str:
    """The semicolon (French spreadsheets' default) unless the header has more commas."""
    return "," if header_line.count(",") > header_line.count(";") else ";"


def _check_header(header: list[str], keys: list[str]) -> None:
    if len(keys) == 1 and keys[0] not in COLUMNS:
        raise FileUnreadable(
            "Une seule colonne lue dans l'en-tête : les colonnes doivent être séparées par "
            "« ; » ou « , »."
        )
    problems = []
    unknown = [name.strip() for name, key in zip(header, keys, strict=True) if key not in COLUMNS]
    if unknown:
        problems.append("colonnes inconnues : " + ", ".join(f"« {name} »" for name in unknown))
    doubled = sorted({key for key in keys if key and keys.count(key) > 1})
    if doubled:
        problems.append("colonnes en double : " + ", ".join(doubled))
    missing = [key for key in REQUIRED if key not in keys]
    if missing:
        problems.append("colonnes obligatoires absentes : " + ", ".join(missing))
    if problems:
        text = " ; ".join(problems)
        raise FileUnreadable(
            text[:1].upper() + text[1:] + ". Colonnes possibles : " + ", ".join(COLUMNS) + "."
        )


def read_rows(data: bytes, *, max_rows: int) -> list[Row]:
    """The file's data rows; blank rows are skipped. Raises FileUnreadable (TooManyRows beyond
    ``max_rows``) with a French message."""
    if data.startswith(_SPREADSHEETS):
        raise FileUnreadable(
            "Ce fichier est un classeur (Excel, Calc) : enregistrez-le au format CSV."
        )
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        raise FileUnreadable("Le fichier n'est ni en UTF-8 ni en Windows-1252.") from exc
    if "\x00" in text:
        raise FileUnreadable("Ce fichier n'est pas un fichier texte CSV.")
    if not text.strip():
        raise FileUnreadable("Le fichier est vide.")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter_of(text.lstrip().split("\n", 1)[0])
    )
    try:
        return _rows(reader, max_rows)
    except StopIteration as exc:
        raise FileUnreadable("Le fichier est vide.") from exc
    except csv.Error as exc:
        raise FileUnreadable(
            f"Le fichier n'est pas un CSV lisible (ligne {reader.line_num})."
        ) from exc


def _rows(reader: _Reader, max_rows: int) -> list[Row]:
    header = next(reader)
    while not any(cell.strip() for cell in header):
        header = next(reader)
    # An empty header cell (a trailing delimiter) names no column.
    named = [i for i, name in enumerate(header) if name.strip()]
    unnamed = set(range(len(header))) - set(named)
    keys = [header_key(header[i]) for i in named]
    _check_header([header[i] for i in named], keys)
    read: list[tuple[int, dict[str, str], int, int]] = []
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(read) >= max_rows:
            limit = format(max_rows, ",").replace(",", "\u202f")
            raise TooManyRows(f"Le fichier dépasse {limit} lignes de données : découpez-le.")
        values = {
            key: (_cell(cells[i]) if i < len(cells) else "")
            for i, key in zip(named, keys, strict=True)
        }
        stray = sum(
            1 for i, cell in enumerate(cells) if cell.strip() and (i >= len(header) or i in unnamed)
        )
        read.append((line, values, stray, max(0, len(cells) - len(header))))
    if not read:
        raise FileUnreadable("Le fichier ne contient aucune ligne de données sous l'en-tête.")
    # Some software ends every row with a delimiter: a surplus shared by all the rows is
    # harmless, a row with more cells than the others has a delimiter inside a value.
    usual = min(surplus for *_, surplus in read)
    return [Row(line, values, max(stray, surplus - usual)) for line, values, stray, surplus in read]


def french_date(value: str) -> str:
    """JJ/MM/AAAA (or AAAA-MM-JJ) as an ISO date; ValueError with a French message."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError("date attendue au format JJ/MM/AAAA")

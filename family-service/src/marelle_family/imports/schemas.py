"""The import's report: what a dry run would write, or what a real run wrote."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Rejection(BaseModel):
    """One reason a row was rejected."""

    line: int = Field(description="Ligne du fichier (l'en-tête est la ligne 1)")
    column: str = Field(description="Colonne du fichier en cause (vide : la ligne entière)")
    message: str


class ImportReport(BaseModel):
    dry_run: bool
    households: int
    children: int
    # Always empty in a 200 answer: rejected rows come as the 409 problem's `rejected`.
    rejected: list[Rejection] = Field(default_factory=list)

from __future__ import annotations

from pydantic import BaseModel


class Rejection(BaseModel):
    line: int
    column: str
    message: str


class ImportReport(BaseModel):
    dry_run: bool
    households: int
    children: int
    rejected: list[Rejection]

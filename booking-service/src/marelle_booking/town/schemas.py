from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Zone = Literal["A", "B", "C"]


class TownPolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    zone: Zone | None = Field(default=None, description="Zone des vacances scolaires")
    alsace_moselle: bool = Field(
        default=False, description="Jours fériés d'Alsace-Moselle (Vendredi saint, 26 décembre)"
    )
    uses_groups: bool = Field(default=False, description="Capacité par groupe d'enfants")
    documents_gate: bool = Field(
        default=False,
        description="Réservation bloquée tant que le dossier de l'inscription n'est pas complet",
    )
    absence_validation: bool = Field(
        default=False, description="Les absences déclarées attendent la validation d'un agent"
    )


class TownPolicyOut(TownPolicyIn):
    model_config = ConfigDict(from_attributes=True)

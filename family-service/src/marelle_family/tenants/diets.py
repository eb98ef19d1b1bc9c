"""The diets a tenant's kitchens serve: a list the tenant keeps, never religious labels."""

from __future__ import annotations

from marelle_family.models import Tenant
from marelle_kit.errors import Problem

DEFAULT_DIETS: dict[str, str] = {
    "sans_porc": "Sans porc",
    "sans_viande": "Sans viande",
    "sans_gluten": "Sans gluten",
    "vegetarien": "Végétarien",
}


class UnknownDiet(Problem):
    status = 422
    type = "unknown-diet"
    title = "Régime inconnu"


def diets_of(tenant: Tenant) -> dict[str, str]:
    return dict(tenant.diets) if tenant.diets else dict(DEFAULT_DIETS)


def check_diet(tenant: Tenant, code: str | None) -> None:
    if code is not None and code not in diets_of(tenant):
        choices = ", ".join(diets_of(tenant))
        raise UnknownDiet(
            f"Ce régime n'est pas servi par la structure (choix possibles : {choices}).",
            field="diet",
        )

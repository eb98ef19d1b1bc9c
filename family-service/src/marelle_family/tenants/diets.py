"""The diets a tenant's kitchens serve: a list the tenant keeps, never religious labels."""

from __future__ import annotations

from marelle_family import catalogue
from marelle_family.models import Tenant

DEFAULT_DIETS: dict[str, str] = {
    "sans_porc": "Sans porc",
    "sans_viande": "Sans viande",
    "sans_gluten": "Sans gluten",
    "vegetarien": "Végétarien",
}


def diets_of(tenant: Tenant) -> dict[str, str]:
    return dict(tenant.diets) if tenant.diets else dict(DEFAULT_DIETS)


def check_diet(tenant: Tenant, code: str | None) -> None:
    if code is not None and code not in diets_of(tenant):
        choices = ", ".join(diets_of(tenant))
        raise catalogue.UnknownDiet(catalogue.UNKNOWN_DIET.format(choices=choices), field="diet")

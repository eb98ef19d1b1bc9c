"""The editing modes of the field groups (marelle_family.field_groups): per tenant, a group is
"direct" (the parent's change applies at once) or "request" (the parent proposes, staff accept
or refuse)."""

from __future__ import annotations

from typing import Literal

from marelle_family.field_groups import FIELD_GROUPS

Mode = Literal["direct", "request"]

# What a parent changes at once unless the tenant decides otherwise: the household's phone and
# mail preferences, their own phones and work, the consents. Everything that staff rely on
# (address for billing, QF for tariffs, identity, schooling, diet, who may pick a child up)
# goes through a request.
DEFAULT_MODES: dict[str, Mode] = {
    group: "direct"
    if group
    in {
        "household.phone",
        "household.authorisations",
        "guardian.phones",
        "guardian.work",
        "adult.contact",
        "child.consents",
    }
    else "request"
    for group in FIELD_GROUPS
}


def mode_of(editing: dict[str, str] | None, group: str) -> Mode:
    chosen = (editing or {}).get(group)
    return chosen if chosen in ("direct", "request") else DEFAULT_MODES[group]  # type: ignore[return-value]

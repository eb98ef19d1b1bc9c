"""What the OpenAPI document says of the problem responses (RFC 9457, French messages)."""

from __future__ import annotations

from typing import Any

_PROBLEM = {
    "application/problem+json": {
        "schema": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "example": "urn:marelle:problem:cells-refused"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string", "description": "Message en français"},
                "cells": {
                    "type": "array",
                    "description": "Jours refusés : child_id, activity_id, day, action, reason",
                    "items": {"type": "object"},
                },
            },
        }
    }
}

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Non connecté", "content": _PROBLEM},
    403: {"description": "Rôle insuffisant", "content": _PROBLEM},
    404: {"description": "Foyer, enfant, activité ou jour inconnu", "content": _PROBLEM},
    409: {
        "description": (
            "Refus métier, rien n'est écrit : cells-refused (raison par jour), "
            "late-confirmation-required, illegal-transition, concurrent-change, register-closed…"
        ),
        "content": _PROBLEM,
    },
    422: {"description": "Données envoyées invalides (champ par champ)", "content": _PROBLEM},
}

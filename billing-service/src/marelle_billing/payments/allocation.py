"""Allocation, pure: money to invoices, oldest first unless the payer chose them."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID


def allocate(
    amount_cents: int,
    open_invoices: Sequence[tuple[UUID, int]],
    chosen: Sequence[UUID] | None = None,
) -> list[tuple[UUID, int]]:
    """Share ``amount_cents`` among ``open_invoices`` ((id, amount still due), oldest first),
    or only among the invoices the payer chose, in the order chosen. What is not allocated
    stays a credit of the household (used first on the next invoice)."""
    due = dict(open_invoices)
    if chosen is not None:
        order = [invoice_id for invoice_id in dict.fromkeys(chosen) if invoice_id in due]
    else:
        order = [invoice_id for invoice_id, _ in open_invoices]
    left = amount_cents
    shares: list[tuple[UUID, int]] = []
    for invoice_id in order:
        if left <= 0:
            break
        share = min(left, due[invoice_id])
        if share > 0:
            shares.append((invoice_id, share))
            left -= share
    return shares

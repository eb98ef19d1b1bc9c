from __future__ import annotations

from marelle_billing.access import check_household
from marelle_billing.quotes.schemas import QuoteIn, QuoteOut
from marelle_billing.quotes.service import QuoteService
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

members = transactional_router(prefix="/quotes", tags=["quotes"])


@members.post("", response_model=QuoteOut)
async def quote(
    data: QuoteIn, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> QuoteOut:
    """Prices of a booking grid before the parent confirms: each cell priced as booked (with
    the late surcharge where ``late``), the rule applied, totals per child and for the
    household. A parent quotes for their own household only; staff for any of the tenant's.
    Nothing is written; it never waits on a payment provider."""
    check_household(principal, data.household_id)
    return await QuoteService(session).quote(tenant_id, data)

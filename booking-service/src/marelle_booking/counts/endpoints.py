from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import Query
from fastapi.responses import Response

from marelle_booking.access import OFFICE, ROLL_CALL
from marelle_booking.counts.render import (
    expected_csv,
    expected_pdf,
    meal_counts_csv,
    meal_counts_pdf,
)
from marelle_booking.counts.schemas import (
    CountPeriod,
    ExpectedList,
    MealCounts,
    MealLine,
    MealOrderIn,
    MealOrderOut,
)
from marelle_booking.counts.service import CountService
from marelle_booking.models import MealOrder
from marelle_booking.openapi import PROBLEMS
from marelle_kit.localtime import to_local
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

office = transactional_router(tags=["comptages"], dependencies=[OFFICE], responses=PROBLEMS)
roll_call = transactional_router(tags=["comptages"], dependencies=[ROLL_CALL], responses=PROBLEMS)

CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


def _file(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


Period = Annotated[CountPeriod, Query()]


@office.get("/meal-counts", response_model=MealCounts, summary="Repas par jour, site et régime")
async def meal_counts(period: Period, tenant_id: TenantId, session: ReadSessionDep) -> MealCounts:
    return await CountService(session).meals(
        tenant_id, period.first_day, period.last_day, period.site_id
    )


@office.get(
    "/meal-counts.csv", summary="Repas par jour, site et régime (CSV)", response_class=Response
)
async def meal_counts_as_csv(
    period: Period, tenant_id: TenantId, session: ReadSessionDep
) -> Response:
    view = await CountService(session).meals(
        tenant_id, period.first_day, period.last_day, period.site_id
    )
    return _file(meal_counts_csv(view), CSV, f"repas-{period.first_day}-{period.last_day}.csv")


@office.get(
    "/meal-counts.pdf", summary="Repas par jour, site et régime (PDF)", response_class=Response
)
async def meal_counts_as_pdf(
    period: Period, tenant_id: TenantId, session: ReadSessionDep
) -> Response:
    view = await CountService(session).meals(
        tenant_id, period.first_day, period.last_day, period.site_id
    )
    return _file(meal_counts_pdf(view), PDF, f"repas-{period.first_day}-{period.last_day}.pdf")


@office.post(
    "/meal-orders",
    response_model=MealOrderOut,
    status_code=201,
    summary="Envoyer la commande au traiteur",
)
async def send_meal_order(
    data: MealOrderIn, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> MealOrderOut:
    """Le comptage du moment, gardé comme une version datée (la suivante ne l'écrase pas)."""
    order = await CountService(session).send_order(
        principal, tenant_id, data.first_day, data.last_day
    )
    return MealOrderOut.model_validate(order)


@office.get(
    "/meal-orders",
    response_model=list[MealOrderOut],
    summary="Les commandes envoyées, versions datées",
)
async def meal_orders(
    tenant_id: TenantId,
    session: ReadSessionDep,
    first_day: Annotated[date, Query()],
    last_day: Annotated[date, Query()],
) -> list[MealOrderOut]:
    return [
        MealOrderOut.model_validate(o)
        for o in await CountService(session).orders(tenant_id, first_day, last_day)
    ]


def _order_view(order: MealOrder) -> MealCounts:
    lines = [MealLine.model_validate(line) for line in order.lines]
    return MealCounts(
        first_day=order.first_day, last_day=order.last_day, lines=lines, total=order.total
    )


@office.get(
    "/meal-orders/{order_id}.csv", summary="Une commande envoyée (CSV)", response_class=Response
)
async def meal_order_csv(order_id: UUID, tenant_id: TenantId, session: ReadSessionDep) -> Response:
    order = await CountService(session).order(tenant_id, order_id)
    return _file(
        meal_counts_csv(_order_view(order)), CSV, f"commande-{order.first_day}-v{order.version}.csv"
    )


@office.get(
    "/meal-orders/{order_id}.pdf", summary="Une commande envoyée (PDF)", response_class=Response
)
async def meal_order_pdf(order_id: UUID, tenant_id: TenantId, session: ReadSessionDep) -> Response:
    order = await CountService(session).order(tenant_id, order_id)
    title = (
        f"Commande de repas — version {order.version} "
        f"du {to_local(order.created_at):%d/%m/%Y à %H:%M}"
    )
    return _file(
        meal_counts_pdf(_order_view(order), title=title),
        PDF,
        f"commande-{order.first_day}-v{order.version}.pdf",
    )


@roll_call.get(
    "/activities/{activity_id}/days/{day}/expected",
    response_model=ExpectedList,
    summary="Enfants attendus (personnes autorisées, PAI)",
)
async def expected(
    activity_id: UUID, day: date, tenant_id: TenantId, session: ReadSessionDep
) -> ExpectedList:
    return await CountService(session).expected(tenant_id, activity_id, day)


@roll_call.get(
    "/activities/{activity_id}/days/{day}/expected.csv",
    summary="Enfants attendus (CSV)",
    response_class=Response,
)
async def expected_as_csv(
    activity_id: UUID, day: date, tenant_id: TenantId, session: ReadSessionDep
) -> Response:
    view = await CountService(session).expected(tenant_id, activity_id, day)
    return _file(expected_csv(view), CSV, f"attendus-{day}.csv")


@roll_call.get(
    "/activities/{activity_id}/days/{day}/expected.pdf",
    summary="Enfants attendus (PDF à imprimer)",
    response_class=Response,
)
async def expected_as_pdf(
    activity_id: UUID, day: date, tenant_id: TenantId, session: ReadSessionDep
) -> Response:
    view = await CountService(session).expected(tenant_id, activity_id, day)
    return _file(expected_pdf(view), PDF, f"attendus-{day}.pdf")

"""Documents the town publishes (menus, programmes, rules, forms) by category, to an audience
(all families, a site, an activity's children, a school), between a publication and an expiry
date, optionally to acknowledge (« J'ai lu »); « Mes documents » counts what is new since the
family's last visit.

An activity's or a site's audience is the households with a child taking part in it this
school year, from booking's cells (booking publishes no enrolment fact yet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID

from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.ids import new_id
from marelle_kit.localtime import local_instant, local_today
from marelle_kit.security import Principal
from marelle_mailing import catalogue
from marelle_mailing.directory.repository import CellRepository, ChildRepository
from marelle_mailing.files.service import Files
from marelle_mailing.models import (
    DocumentsVisit,
    Publication,
    PublicationAcknowledgement,
    PublicationCategory,
    StoredFile,
)
from marelle_mailing.publications.repository import CategoryRepository, PublicationRepository
from marelle_mailing.publications.schemas import (
    AcknowledgementOut,
    CategoryIn,
    FamilyCategory,
    FamilyDocument,
    FamilyDocumentsPage,
    PublicationMeta,
    PublicationOut,
    PublicationPage,
)
from marelle_mailing.settings import MailingSettings


def school_year_start(today: date) -> date:
    """1 September of the school year ``today`` belongs to."""
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


@dataclass(frozen=True)
class Audiences:
    schools: set[str]
    activities: set[str]
    sites: set[str]


class Publications:
    def __init__(self, session: WriteSession, settings: MailingSettings) -> None:
        self.session = session
        self.categories = CategoryRepository(session)
        self.publications = PublicationRepository(session)
        self.files = Files(session, settings)

    # --- categories ------------------------------------------------------------------------

    async def category(self, tenant_id: UUID, category_id: UUID) -> PublicationCategory:
        found = await self.categories.get(tenant_id, category_id)
        if found is None:
            raise NotFound(catalogue.CATEGORY_NOT_FOUND, field="category_id")
        return found

    async def add_category(self, tenant_id: UUID, data: CategoryIn) -> PublicationCategory:
        if await self.categories.by_name(tenant_id, data.name) is not None:
            raise catalogue.NameTaken(catalogue.CATEGORY_NAME_TAKEN, field="name")
        return await self.categories.add(
            PublicationCategory(tenant_id=tenant_id, name=data.name, position=data.position)
        )

    async def change_category(
        self, tenant_id: UUID, category_id: UUID, data: CategoryIn
    ) -> PublicationCategory:
        category = await self.category(tenant_id, category_id)
        other = await self.categories.by_name(tenant_id, data.name)
        if other is not None and other.id != category.id:
            raise catalogue.NameTaken(catalogue.CATEGORY_NAME_TAKEN, field="name")
        category.name, category.position = data.name, data.position
        return await self.categories.add(category)

    async def remove_category(self, tenant_id: UUID, category_id: UUID) -> None:
        category = await self.category(tenant_id, category_id)
        if await self.categories.in_use(category.id):
            raise catalogue.CategoryInUse(catalogue.CATEGORY_IN_USE)
        await self.categories.delete(category)

    # --- staff -----------------------------------------------------------------------------

    async def publish(
        self, principal: Principal, tenant_id: UUID, meta: PublicationMeta, name: str, data: bytes
    ) -> PublicationOut:
        await self.category(tenant_id, meta.category_id)
        stored = await self.files.add(tenant_id, name, data, principal.subject)
        publication = Publication(
            id=new_id(),
            tenant_id=tenant_id,
            file_id=stored.id,
            published_by=principal.subject,
            **meta.model_dump(),
        )
        await self.publications.add(publication)
        return await self.view(tenant_id, publication.id)

    async def get(self, tenant_id: UUID, publication_id: UUID) -> Publication:
        found = await self.publications.get(tenant_id, publication_id)
        if found is None:
            raise NotFound(catalogue.PUBLICATION_NOT_FOUND)
        return found

    async def change(
        self, tenant_id: UUID, publication_id: UUID, meta: PublicationMeta
    ) -> PublicationOut:
        publication = await self.get(tenant_id, publication_id)
        await self.category(tenant_id, meta.category_id)
        for name, value in meta.model_dump().items():
            setattr(publication, name, value)
        await self.publications.add(publication)
        return await self.view(tenant_id, publication_id)

    async def withdraw(self, tenant_id: UUID, publication_id: UUID) -> PublicationOut:
        publication = await self.get(tenant_id, publication_id)
        if publication.withdrawn_at is not None:
            raise catalogue.AlreadyWithdrawn(catalogue.PUBLICATION_WITHDRAWN)
        publication.withdrawn_at = utcnow()
        await self.publications.add(publication)
        return await self.view(tenant_id, publication_id)

    async def _views(self, tenant_id: UUID, rows: list[Publication]) -> list[PublicationOut]:
        categories = {c.id: c for c in await self.categories.of_tenant(tenant_id)}
        files = await self.publications.files([p.file_id for p in rows])
        counts = await self.publications.acknowledgement_counts([p.id for p in rows])
        return [
            PublicationOut(
                id=p.id,
                category_id=p.category_id,
                category_name=categories[p.category_id].name,
                title=p.title,
                description=p.description,
                audience=p.audience,
                audience_ref=p.audience_ref,
                published_on=p.published_on,
                expires_on=p.expires_on,
                requires_acknowledgement=p.requires_acknowledgement,
                file_name=files[p.file_id].name,
                content_type=files[p.file_id].content_type,
                size=files[p.file_id].size,
                published_by=p.published_by,
                withdrawn_at=p.withdrawn_at,
                created_at=p.created_at,
                acknowledgements=counts.get(p.id, 0),
            )
            for p in rows
        ]

    async def view(self, tenant_id: UUID, publication_id: UUID) -> PublicationOut:
        [view] = await self._views(tenant_id, [await self.get(tenant_id, publication_id)])
        return view

    async def page(
        self,
        tenant_id: UUID,
        *,
        category_id: UUID | None,
        current_only: bool,
        limit: int,
        offset: int,
    ) -> PublicationPage:
        page = await self.publications.page(
            tenant_id,
            category_id=category_id,
            current_on=local_today() if current_only else None,
            limit=limit,
            offset=offset,
        )
        return PublicationPage(
            items=await self._views(tenant_id, page.items),
            total=page.total,
            limit=limit,
            offset=offset,
        )

    async def acknowledgements(
        self, tenant_id: UUID, publication_id: UUID
    ) -> list[AcknowledgementOut]:
        publication = await self.get(tenant_id, publication_id)
        return [
            AcknowledgementOut(
                household_id=a.household_id,
                household_name=h.name if h is not None else "",
                family_number=h.family_number if h is not None else "",
                acknowledged_at=a.acknowledged_at,
            )
            for a, h in await self.publications.acknowledgements_of(publication.id)
        ]

    async def content(self, tenant_id: UUID, publication_id: UUID) -> tuple[bytes, StoredFile]:
        publication = await self.get(tenant_id, publication_id)
        stored = await self.files.get(tenant_id, publication.file_id)
        return await self.files.content(stored), stored

    # --- families --------------------------------------------------------------------------

    async def audiences(self, tenant_id: UUID, household_id: UUID, today: date) -> Audiences:
        children = (await ChildRepository(self.session).of_households(tenant_id, [household_id]))[
            household_id
        ]
        taking_part = await CellRepository(self.session).children_attending(
            tenant_id, household_id, school_year_start(today)
        )
        return Audiences(
            schools={c.school for c in children if c.school},
            activities={str(a) for a, _s in taking_part},
            sites={str(s) for _a, s in taking_part},
        )

    async def for_household(
        self, tenant_id: UUID, household_id: UUID, today: date | None = None
    ) -> list[Publication]:
        today = today or local_today()
        audiences = await self.audiences(tenant_id, household_id, today)
        return await self.publications.current_for(
            tenant_id,
            today,
            schools=audiences.schools,
            activities=audiences.activities,
            sites=audiences.sites,
        )

    @staticmethod
    def visible_since(publication: Publication) -> datetime:
        """When the family could first see it: published, or its publication day began."""
        return max(publication.created_at, local_instant(publication.published_on, time(0)))

    async def family_page(self, tenant_id: UUID, household_id: UUID) -> FamilyDocumentsPage:
        documents = await self.for_household(tenant_id, household_id)
        visit = await self.publications.visit(household_id)
        last = visit.visited_at if visit is not None else None
        files = await self.publications.files([d.file_id for d in documents])
        acks = await self.publications.household_acknowledgements(
            household_id, [d.id for d in documents]
        )
        grouped: dict[UUID, list[FamilyDocument]] = {}
        for d in documents:
            grouped.setdefault(d.category_id, []).append(
                FamilyDocument(
                    id=d.id,
                    title=d.title,
                    description=d.description,
                    file_name=files[d.file_id].name,
                    content_type=files[d.file_id].content_type,
                    size=files[d.file_id].size,
                    published_on=d.published_on,
                    expires_on=d.expires_on,
                    new=last is None or self.visible_since(d) > last,
                    requires_acknowledgement=d.requires_acknowledgement,
                    acknowledged_at=acks[d.id].acknowledged_at if d.id in acks else None,
                )
            )
        categories = [
            FamilyCategory(
                id=c.id,
                name=c.name,
                new=sum(1 for d in grouped[c.id] if d.new),
                documents=grouped[c.id],
            )
            for c in await self.categories.of_tenant(tenant_id)
            if c.id in grouped
        ]
        return FamilyDocumentsPage(
            last_visit_at=last,
            new=sum(c.new for c in categories),
            to_acknowledge=sum(
                1
                for c in categories
                for d in c.documents
                if d.requires_acknowledgement and d.acknowledged_at is None
            ),
            categories=categories,
        )

    async def visited(self, tenant_id: UUID, household_id: UUID) -> datetime:
        visit = await self.publications.visit(household_id) or DocumentsVisit(
            household_id=household_id, tenant_id=tenant_id, visited_at=utcnow()
        )
        visit.visited_at = utcnow()
        await self.publications.save_visit(visit)
        return visit.visited_at

    async def family_document(
        self, tenant_id: UUID, household_id: UUID, publication_id: UUID
    ) -> Publication:
        for publication in await self.for_household(tenant_id, household_id):
            if publication.id == publication_id:
                return publication
        raise NotFound(catalogue.PUBLICATION_NOT_FOUND)

    async def acknowledge(
        self, principal: Principal, tenant_id: UUID, household_id: UUID, publication_id: UUID
    ) -> datetime:
        publication = await self.family_document(tenant_id, household_id, publication_id)
        if not publication.requires_acknowledgement:
            raise catalogue.NoAcknowledgementAsked(catalogue.NO_ACKNOWLEDGEMENT)
        await self.publications.acknowledge(
            PublicationAcknowledgement(
                tenant_id=tenant_id,
                publication_id=publication.id,
                household_id=household_id,
                acknowledged_by=principal.subject,
            )
        )
        acks = await self.publications.household_acknowledgements(household_id, [publication.id])
        return acks[publication.id].acknowledged_at

    async def erase_household(self, household_id: UUID) -> None:
        await self.publications.erase_household(household_id)

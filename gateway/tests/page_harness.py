"""The page tests' harness: the gateway's apps with fake clients put in through
``app.dependency_overrides`` (fast, no service running), real sessions, CSRF and templates.

``pages`` gives a client on the gateway (portal at ``/``, back office mounted at ``/admin``), the
fakes (their data and what they were asked), and helpers to sign in and read a form's token."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Mount

from marelle_gateway.app import create_gateway_app
from marelle_gateway.clients.auth import (
    AccountName,
    AccountStatus,
    AuditEntry,
    LinkInfo,
    NewPassword,
    PasswordChange,
    PolicyReport,
    Rule,
    Suggestion,
)
from marelle_gateway.clients.base import Caller, Download, Upload, UpstreamProblem
from marelle_gateway.clients.family import (
    ChangeRequest,
    Child,
    Document,
    EditOutcome,
    Guardian,
    Household,
    HouseholdListing,
    HouseholdSearch,
    HouseholdSummary,
    ImportReport,
    NewHousehold,
    RecordRead,
    RecordRules,
)
from marelle_gateway.clients.mailing import Mail, MailSummary
from marelle_gateway.clients.tenants import Tenant, TenantProfile
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.state import (
    auth_client,
    family_client,
    mailing_client,
    tenants_client,
)
from marelle_gateway.web.session import SESSION_COOKIE, SessionData, SessionUser
from marelle_kit.roles import AGENT

TENANT = Tenant(
    id=uuid4(),
    slug="demo",
    name="Mairie de Démonstration",
    article="la",
    home_text="Inscriptions pour la rentrée avant le 30 juin.",
    contact_address="Hôtel de ville\n1 place de la Mairie\n69100 Démonstration",
    contact_phone="0478000000",
    contact_email="enfance@demo.test",
    contact_hours="Du lundi au vendredi, 8 h 30 – 17 h",
    dpo_contact="dpo@demo.test",
    retention_years=3,
)
NIGHT = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 December, 00 h 30 in Paris


def _household() -> Household:
    household_id = uuid4()
    return Household(
        id=household_id,
        family_number="2026-0007",
        name="Famille Martin",
        city="Démonstration",
        postcode="69100",
        quotient=850,
        quotient_valid_until=date(2027, 8, 31),
        guardians=[
            Guardian(
                id=uuid4(),
                household_id=household_id,
                rank=1,
                first_name="Claire",
                last_name="Martin",
                email="claire.martin@demo.test",
            )
        ],
        children=[
            Child(
                id=uuid4(),
                household_id=household_id,
                first_name="Léo",
                last_name="Martin",
                birth_date=date(2019, 4, 12),
                school="École Jules Ferry",
                diet="sans_porc",
            )
        ],
    )


def not_found(service: str = "family") -> UpstreamProblem:
    return UpstreamProblem(
        service, 404, type="urn:marelle:problem:not-found", detail="Introuvable."
    )


@dataclass
class FakeFamily:
    record: Household = field(default_factory=_household)
    requests: list[ChangeRequest] = field(default_factory=list)
    rules: RecordRules = field(
        default_factory=lambda: RecordRules(
            diets={"sans_porc": "Sans porc", "sans_viande": "Sans viande"},
            editing={"child.schooling": "request"},
        )
    )
    stored_documents: list[Document] = field(default_factory=list)
    expired: list[HouseholdSummary] = field(default_factory=list)
    reads: list[RecordRead] = field(default_factory=list)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    refusals: dict[str, UpstreamProblem] = field(default_factory=dict)

    def _refused(self, name: str) -> None:
        if name in self.refusals:
            raise self.refusals.pop(name)

    def _own(self, household_id: UUID) -> Household:
        if household_id != self.record.id:
            raise not_found()
        return self.record

    async def households(self, caller: Caller, search: HouseholdSearch) -> list[HouseholdListing]:
        self.calls.append(("households", search))
        h = self.record
        return [HouseholdListing(id=h.id, family_number=h.family_number, name=h.name)]

    async def households_by_id(self, caller: Caller, ids: list[UUID]) -> dict[UUID, Any]:
        h = self.record
        listing = HouseholdListing(id=h.id, family_number=h.family_number, name=h.name)
        return {h.id: listing} if h.id in ids else {}

    async def household(self, caller: Caller, household_id: UUID) -> Household:
        return self._own(household_id)

    async def create_household(self, caller: Caller, data: NewHousehold) -> Household:
        self._refused("create_household")
        self.calls.append(("create_household", data))
        return self.record

    async def edit(
        self, caller: Caller, household_id: UUID, target: str, target_id: UUID, changes: Any
    ) -> EditOutcome:
        self._own(household_id)
        self._refused("edit")
        self.calls.append(("edit", (target, target_id, dict(changes))))
        return EditOutcome(applied=["x"])

    async def certify(self, caller: Caller, household_id: UUID) -> None:
        self.calls.append(("certify", household_id))

    async def export(self, caller: Caller, household_id: UUID, extension: str) -> Download:
        self._own(household_id)
        return Download(b"{}", "application/json", 'attachment; filename="foyer.json"')

    async def erase(self, caller: Caller, household_id: UUID) -> HouseholdSummary:
        self._own(household_id)
        self._refused("erase")
        self.calls.append(("erase", household_id))
        h = self.record
        return HouseholdSummary(id=h.id, family_number=h.family_number, name="Foyer effacé")

    async def add_guardian(self, caller: Caller, household_id: UUID, data: Any) -> Guardian:
        self._own(household_id)
        self.calls.append(("add_guardian", dict(data)))
        return self.record.guardians[0]

    async def remove_guardian(self, caller: Caller, household_id: UUID, guardian_id: UUID) -> None:
        self.calls.append(("remove_guardian", (household_id, guardian_id)))

    async def add_adult(self, caller: Caller, household_id: UUID, data: Any) -> Any:
        self.calls.append(("add_adult", dict(data)))

    async def remove_adult(self, caller: Caller, household_id: UUID, adult_id: UUID) -> None:
        self.calls.append(("remove_adult", (household_id, adult_id)))

    async def child(self, caller: Caller, household_id: UUID, child_id: UUID) -> Child:
        found = self._own(household_id).child(child_id)
        if found is None:
            raise not_found()
        return found

    async def add_child(self, caller: Caller, household_id: UUID, data: Any) -> Child:
        self.calls.append(("add_child", dict(data)))
        return self.record.children[0]

    async def validate_child(self, caller: Caller, household_id: UUID, child_id: UUID) -> Child:
        self.calls.append(("validate_child", child_id))
        return self.record.children[0]

    async def requests_of(self, caller: Caller, household_id: UUID) -> list[ChangeRequest]:
        return [r for r in self.requests if r.household_id == household_id]

    async def pending_requests(self, caller: Caller, limit: int) -> list[ChangeRequest]:
        return [r for r in self.requests if r.status == "pending"]

    async def accept(self, caller: Caller, request_id: UUID) -> ChangeRequest:
        self._refused("accept")
        self.calls.append(("accept", request_id))
        return self.requests[0]

    async def refuse(self, caller: Caller, request_id: UUID, reason: str) -> ChangeRequest:
        self.calls.append(("refuse", (request_id, reason)))
        return self.requests[0]

    async def documents(self, caller: Caller, household_id: UUID) -> list[Document]:
        return list(self.stored_documents)

    async def add_document(
        self, caller: Caller, household_id: UUID, upload: Upload, **fields: Any
    ) -> Document:
        self._refused("add_document")
        self.calls.append(("add_document", fields))
        raise AssertionError("the test programs a refusal")

    async def document(self, caller: Caller, household_id: UUID, document_id: UUID) -> Download:
        self._own(household_id)
        raise not_found()

    async def record_rules(self, caller: Caller) -> RecordRules:
        return self.rules

    async def save_record_rules(self, caller: Caller, rules: RecordRules) -> RecordRules:
        self.calls.append(("save_record_rules", rules))
        self.rules = rules
        return rules

    async def import_households(
        self, caller: Caller, upload: Upload, *, dry_run: bool
    ) -> ImportReport:
        self._refused("import_households")
        return ImportReport(dry_run=dry_run, households=1, children=1)

    async def past_retention(self, caller: Caller) -> list[HouseholdSummary]:
        return list(self.expired)

    async def access_log(self, caller: Caller, limit: int) -> list[RecordRead]:
        return list(self.reads)


RULES = (
    ("length", "Au moins 8 caractères", lambda p: len(p) >= 8),
    ("lower", "Au moins une minuscule", lambda p: any(c.islower() for c in p)),
    ("upper", "Au moins une majuscule", lambda p: any(c.isupper() for c in p)),
    ("digit", "Au moins un chiffre", lambda p: any(c.isdigit() for c in p)),
    ("special", "Au moins un caractère spécial", lambda p: any(not c.isalnum() for c in p)),
)


def policy(new: NewPassword) -> PolicyReport:
    """The auth-service's checklist, as far as these tests need it."""
    rules = [Rule(code=code, label=label, ok=check(new.password)) for code, label, check in RULES]
    rules.append(
        Rule(
            code="same",
            label="Les deux saisies sont identiques",
            ok=new.password == new.confirmation and bool(new.password),
        )
    )
    return PolicyReport(acceptable=all(r.ok for r in rules), strength=3, rules=rules)


@dataclass
class FakeAuth:
    journal_entries: list[AuditEntry] = field(default_factory=list)
    accounts: dict[UUID, AccountName] = field(default_factory=dict)
    statuses: dict[str, AccountStatus] = field(default_factory=dict)
    suggestions: dict[str, Suggestion] = field(default_factory=dict)
    link: LinkInfo = field(
        default_factory=lambda: LinkInfo(
            purpose="first_login",
            email="claire.martin@demo.test",
            first_name="Claire",
            expires_at=NIGHT,
        )
    )
    calls: list[tuple[str, Any]] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    refusals: dict[str, UpstreamProblem] = field(default_factory=dict)

    def _refused(self, name: str) -> None:
        if name in self.refusals:
            raise self.refusals.pop(name)

    async def journal(self, caller: Caller, limit: int) -> list[AuditEntry]:
        return list(self.journal_entries)

    async def names(self, caller: Caller, ids: list[UUID]) -> dict[UUID, AccountName]:
        return {i: self.accounts[i] for i in ids if i in self.accounts}

    async def account_status(self, caller: Caller, email: str) -> AccountStatus:
        if email not in self.statuses:
            raise not_found("auth")
        return self.statuses[email]

    async def unlock(self, caller: Caller, email: str) -> None:
        self.calls.append(("unlock", email))

    async def inspect_link(self, caller: Caller, token: str) -> LinkInfo:
        if token != "bon-lien":
            raise UpstreamProblem("auth", 410, type="urn:marelle:problem:link-expired")
        return self.link

    async def suggest(self, method: str, sentence: str) -> Suggestion:
        self._refused("suggest")
        return self.suggestions[method]

    async def check_for_link(self, caller: Caller, token: str, new: NewPassword) -> PolicyReport:
        return policy(new)

    async def check_for_change(self, caller: Caller, new: NewPassword) -> PolicyReport:
        return policy(new)

    async def set_password(self, caller: Caller, token: str, new: NewPassword) -> None:
        self._refused("set_password")
        self.calls.append(("set_password", new.password))

    async def change_password(self, caller: Caller, change: PasswordChange) -> None:
        self._refused("change_password")
        self.calls.append(("change_password", change.password))

    async def revoke(self, refresh_token: str) -> None:
        self.revoked.append(refresh_token)

    async def refresh(self, refresh_token: str) -> Any:
        raise UpstreamProblem("auth", 400)


@dataclass
class FakeMailing:
    sent: list[Mail] = field(default_factory=list)

    async def mails(self, caller: Caller, limit: int) -> list[MailSummary]:
        return list(self.sent)

    async def mail(self, caller: Caller, mail_id: UUID) -> Mail:
        found = next((m for m in self.sent if m.id == mail_id), None)
        if found is None:
            raise not_found("mailing")
        return found


@dataclass
class FakeTenants:
    tenant: Tenant = TENANT
    saved: list[TenantProfile] = field(default_factory=list)

    async def by_slug(self, slug: str) -> Tenant | None:
        return self.tenant if slug == self.tenant.slug else None

    async def save_profile(self, caller: Caller, slug: str, profile: TenantProfile) -> Tenant:
        self.saved.append(profile)
        self.tenant = Tenant.model_validate({**self.tenant.model_dump(), **profile.model_dump()})
        return self.tenant

    async def alive(self) -> bool:
        return True


@dataclass
class Pages:
    client: httpx.AsyncClient
    app: FastAPI
    backoffice: FastAPI
    family: FakeFamily
    auth: FakeAuth
    mailing: FakeMailing
    tenants: FakeTenants

    async def sign_in(
        self, *roles: str, household: bool = False, given_name: str = "Claire"
    ) -> SessionUser:
        user = SessionUser(
            id=str(uuid4()),
            tenant_id=TENANT.id,
            household_id=self.family.record.id if household else None,
            roles=frozenset(roles),
            given_name=given_name,
            family_name="Martin",
        )
        data = SessionData(
            access_token="jeton",
            refresh_token="rafraichir",
            expires_at=time.time() + 600,
            user=user,
        )
        session_id = f"session-{uuid4().hex}"
        await get_state_of(self.app).sessions.put(session_id, data.model_dump(mode="json"))
        self.client.cookies.set(SESSION_COOKIE, session_id)
        return user

    async def sign_in_parent(self) -> SessionUser:
        return await self.sign_in(household=True)

    async def sign_in_staff(self, *roles: str) -> SessionUser:
        return await self.sign_in(*(roles or (AGENT,)), given_name="Anne")

    async def csrf(self, path: str) -> str:
        page = await self.client.get(path)
        assert page.status_code == 200, page.text
        return csrf_of(page.text)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has a form with its CSRF token"
    return match.group(1)


def get_state_of(app: FastAPI) -> Any:
    return app.state.gateway


def backoffice_of(app: FastAPI) -> FastAPI:
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/admin")
    assert isinstance(mount.app, FastAPI)
    return mount.app


@pytest.fixture
async def pages() -> AsyncIterator[Pages]:
    settings = GatewaySettings(
        family_url="http://127.0.0.1:9",
        auth_url="http://127.0.0.1:9",
        mailing_url="http://127.0.0.1:9",
        default_tenant_slug="demo",
        public_url="http://portail.test",
        proxy_timeout=0.5,
    )
    app = create_gateway_app(settings)
    backoffice = backoffice_of(app)
    fakes = Pages(
        client=None,  # type: ignore[arg-type]
        app=app,
        backoffice=backoffice,
        family=FakeFamily(),
        auth=FakeAuth(),
        mailing=FakeMailing(),
        tenants=FakeTenants(),
    )
    for target in (app, backoffice):
        target.dependency_overrides[family_client] = lambda: fakes.family
        target.dependency_overrides[auth_client] = lambda: fakes.auth
        target.dependency_overrides[mailing_client] = lambda: fakes.mailing
        target.dependency_overrides[tenants_client] = lambda: fakes.tenants
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://portail.test") as client:
            fakes.client = client
            yield fakes

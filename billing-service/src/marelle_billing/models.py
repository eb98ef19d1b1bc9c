"""The billing-service's tables (its own metadata: no other service reads them).

Amounts are integer cents; unit prices and quantities are exact decimals stored as text
(``DecimalText``), so SQLite and PostgreSQL give back the very value that was priced.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import Column, Index, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from marelle_kit.clock import utcnow
from marelle_kit.database import new_registry
from marelle_kit.events import event_tables
from marelle_kit.ids import new_id
from marelle_kit.tenant_directory import TenantDirectory, tenant_table
from marelle_kit.types import UTCDateTime


class DecimalText(sa.TypeDecorator[Decimal]):
    """An exact decimal on every backend (SQLite has no decimal type: it would go through
    floats)."""

    impl = sa.String(32)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError("DecimalText takes Decimal values only")
        return format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a model (bulk statements use it: no ORM objects for a million rows)."""
    table = sa.inspect(model).local_table
    assert isinstance(table, sa.Table)
    return table


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _modified() -> Any:
    return Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow)
    )


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(sa.JSON(), nullable=nullable))


class BillingModel(SQLModel, registry=new_registry()):
    pass


# --- accounts and read models of other services' facts ----------------------------------------


class BillingAccount(BillingModel, table=True):
    """A household's account at the billing office, opened when the household is created.

    Its id is the household's id; the name and family number are a read model of the
    family-service's facts. ``balance_cents``: positive = the family owes the town."""

    __tablename__ = "billing_account"
    __table_args__ = (UniqueConstraint("tenant_id", "family_number"),)

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    family_number: str = Field(max_length=20)
    name: str = Field(max_length=200)
    balance_cents: int = Field(default=0)
    # The current family quotient (read model of family.quotient.changed); the history the
    # tariffs use is in QuotientFact.
    quotient: int | None = Field(default=None)
    quotient_valid_until: date | None = Field(default=None)
    # The tariff category of the household (e.g. "hors-commune"), set by the billing office.
    category: str | None = Field(default=None, max_length=40)
    postcode: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=100)
    created_at: datetime = _created()
    modified_at: datetime = _modified()


class GuardianFact(BillingModel, table=True):
    """Who the invoices are addressed to and whom PayFiP mails (read model)."""

    __tablename__ = "guardian_fact"

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(index=True)
    rank: int
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)


class QuotientFact(BillingModel, table=True):
    """One family quotient the family-service published, kept so that a service day is priced
    with the quotient valid on that day (docs/adr/0016-billing-tariffs-runs-payments.md)."""

    __tablename__ = "quotient_fact"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(index=True)
    quotient: int
    valid_until: date | None = None
    recorded_at: datetime = _created()


class ChildFact(BillingModel, table=True):
    """What billing needs of a child: name for the lines, birth date for the sibling rank and
    the CESU age rule."""

    __tablename__ = "child_fact"

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date


class ActivityFact(BillingModel, table=True):
    """An activity as booking published it (booking.activity.published)."""

    __tablename__ = "activity_fact"

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=30)
    site_id: UUID
    site_name: str = Field(max_length=200)
    billing_mode: str = Field(max_length=20)
    billing_unit: str = Field(max_length=20)
    fiscal_share: str = Field(max_length=20)
    active: bool = True


class CellFactRow(BillingModel, table=True):
    """A booking cell (child x activity x day) at the highest version billing has seen."""

    __tablename__ = "cell_fact"
    __table_args__ = (
        Index("ix_cell_fact_tenant_day", "tenant_id", "day"),
        Index("ix_cell_fact_household_day", "household_id", "day"),
    )

    id: UUID = Field(primary_key=True)
    tenant_id: UUID
    version: int
    household_id: UUID
    child_id: UUID
    activity_id: UUID
    day: date
    state: str = Field(max_length=20)
    late: bool = False
    absence_reason: str | None = Field(default=None, max_length=60)
    absence_charge: str | None = Field(default=None, max_length=20)
    penalty_percent: int | None = None
    arrival: time | None = None
    departure: time | None = None
    free_of_charge: bool = False


class RegisterFact(BillingModel, table=True):
    """A day's register of an activity: billing « au réel » waits for it to be closed."""

    __tablename__ = "register_fact"
    __table_args__ = (Index("ix_register_fact_activity_day", "tenant_id", "activity_id", "day"),)

    id: UUID = Field(primary_key=True)
    tenant_id: UUID
    activity_id: UUID
    day: date
    closed: bool
    # The instant of the fact that set ``closed``: an older fact arriving late is ignored.
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# --- the town's billing settings ---------------------------------------------------------------


class BillingProfile(BillingModel, table=True):
    """A tenant's billing settings (one row per tenant, id = tenant id)."""

    __tablename__ = "billing_profile"

    id: UUID = Field(primary_key=True)
    invoice_prefix: str = Field(default="F", max_length=10)
    credit_note_prefix: str = Field(default="AV", max_length=10)
    receipt_prefix: str = Field(default="R", max_length=10)
    school_zone: str = Field(default="A", max_length=1)
    cesu_accepted: bool = False
    payee_name: str = Field(default="Régie des services périscolaires", max_length=200)
    payee_address: str = Field(default="", max_length=400)
    counter_details: str = Field(default="", max_length=400)
    minimum_invoice_cents: int = 500
    basket_hold_minutes: int = 30
    modified_at: datetime = _modified()


class ProviderPurpose(enum.StrEnum):
    INVOICES = "invoices"
    BASKETS = "baskets"


class PaymentProvider(BillingModel, table=True):
    """The online payment backend a tenant uses for a purpose. ``options`` holds what is not
    secret; ``secrets`` holds the secret options encrypted with the key from the environment
    (MARELLE_BILLING_SECRETS_KEY), or ``env:NAME`` references, never clear text."""

    __tablename__ = "payment_provider"
    __table_args__ = (UniqueConstraint("tenant_id", "purpose"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    purpose: str = Field(max_length=20)
    backend: str = Field(max_length=30)
    options: dict[str, Any] = _json()
    secrets: str = Field(default="", sa_column=Column(sa.Text(), nullable=False))
    enabled: bool = True
    modified_at: datetime = _modified()


# --- tariffs -----------------------------------------------------------------------------------


class Tariff(BillingModel, table=True):
    """A version of an activity's price: valid from/to, scoped, with its method and rules
    (``rules``: the JSON of marelle_billing.tariffs.rules.TariffRules, checked at save)."""

    __table_args__ = (Index("ix_tariff_activity", "tenant_id", "activity_id"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    activity_id: UUID
    label: str = Field(max_length=200)
    valid_from: date
    valid_to: date | None = None
    day_kind: str = Field(default="any", max_length=10)  # any, school, holiday
    family_category: str | None = Field(default=None, max_length=40)
    site_id: UUID | None = None
    rules: dict[str, Any] = _json()
    created_at: datetime = _created()
    modified_at: datetime = _modified()


# --- invoicing ---------------------------------------------------------------------------------


class NumberCounter(BillingModel, table=True):
    """The last number given per (tenant, prefix, year): locked while numbers are taken, so
    numbers are gapless and never given twice."""

    __tablename__ = "number_counter"

    tenant_id: UUID = Field(primary_key=True)
    prefix: str = Field(primary_key=True, max_length=10)
    year: int = Field(primary_key=True)
    last_number: int = 0


class RunStatus(enum.StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    CANCELLED = "cancelled"


class RunKind(enum.StrEnum):
    REGULAR = "regular"
    CORRECTIVE = "corrective"


class InvoiceRun(BillingModel, table=True):
    """A campaign: computed as a draft staff review, then issued (numbers, PDFs, events)."""

    __tablename__ = "invoice_run"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    kind: str = Field(default=RunKind.REGULAR, max_length=20)
    label: str = Field(max_length=200)
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    online_payment_until: date
    minimum_cents: int = 0
    status: str = Field(default=RunStatus.DRAFT, max_length=20)
    # The review, as computed: errors block the issue; warnings and totals inform.
    review: dict[str, Any] = _json()
    computed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    issued_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_by: str = Field(max_length=200)
    created_at: datetime = _created()
    modified_at: datetime = _modified()


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"  # part of a draft run
    CARRIED_OVER = "carried_over"  # below the run's minimum: its lines go into the next invoice
    ISSUED = "issued"  # numbered: never changes again


class InvoiceKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class PdfState(enum.StrEnum):
    NONE = "none"  # drafts have no PDF
    PENDING = "pending"
    RENDERED = "rendered"
    FAILED = "failed"


class InvoiceChannel(enum.StrEnum):
    OFFICE = "office"  # the town's billing office (régie): counter, card, PayFiP
    TREASURY = "treasury"  # titled (PES): only the Trésor public's channels apply


class Invoice(BillingModel, table=True):
    """An invoice (or a credit note: negative total) of a household.

    Once issued, its number, amounts, dates and lines never change (database triggers refuse
    it); what changes is what was paid, its PDF, and later its payment channel (titled)."""

    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_invoice_household", "tenant_id", "household_id", "status"),
        Index("ix_invoice_run", "run_id"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    household_id: UUID
    run_id: UUID | None = None
    kind: str = Field(default=InvoiceKind.INVOICE, max_length=20)
    status: str = Field(default=InvoiceStatus.DRAFT, max_length=20)
    number: str | None = Field(default=None, max_length=30)
    family_number: str = Field(max_length=20)
    household_name: str = Field(max_length=200)
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    online_payment_until: date
    total_cents: int
    # Credit notes: the invoice corrected and why.
    corrects_invoice_id: UUID | None = None
    reason: str | None = Field(default=None, max_length=500)
    # The invoice whose lines took over this one's (carried over below the minimum), and on
    # the new one, the carried-over invoices whose lines it includes.
    carried_into_id: UUID | None = None
    carried_from: list[Any] = Field(
        default_factory=list, sa_column=Column(sa.JSON(), nullable=False)
    )
    paid_cents: int = 0
    # Issue 12 (SEPA, PES): how the invoice is collected (InvoiceChannel); direct debit hides
    # online payment.
    channel: str = Field(default="office", max_length=20)
    direct_debit: bool = False
    titled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    pdf_state: str = Field(default=PdfState.NONE, max_length=20)
    pdf_attempts: int = 0
    pdf_claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    issued_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = _created()
    modified_at: datetime = _modified()


class LineKind(enum.StrEnum):
    SERVICE = "service"  # priced cells
    CORRECTION = "correction"  # corrective run / credit note lines


class InvoiceLine(BillingModel, table=True):
    """A line: quantity x unit price rounded half-up to the cent, with the rule applied and
    the days it covers (``days``: [[ISO day, quantity], ...])."""

    __tablename__ = "invoice_line"
    __table_args__ = (Index("ix_invoice_line_invoice", "invoice_id"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    invoice_id: UUID
    position: int
    kind: str = Field(default=LineKind.SERVICE, max_length=20)
    child_id: UUID | None = None
    child_name: str = Field(default="", max_length=200)
    activity_id: UUID | None = None
    activity_name: str = Field(max_length=200)
    tariff_id: UUID | None = None
    rule: str = Field(max_length=300)
    bracket: str | None = Field(default=None, max_length=100)
    fiscal_share: str = Field(max_length=20)
    quantity: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    unit_price: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    amount_cents: int
    days: list[Any] = _json()
    # The days grouped for people (« 2, 3, 5 au 9 nov. 2026 »), made once with the line.
    dates_label: str = Field(
        default="", sa_column=Column(sa.Text(), nullable=False, server_default="")
    )


class StoredDocument(BillingModel, table=True):
    """A rendered PDF (invoice, receipt), kept in the service's database."""

    __tablename__ = "stored_document"
    __table_args__ = (UniqueConstraint("kind", "owner_id"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    kind: str = Field(max_length=20)
    owner_id: UUID
    filename: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(sa.LargeBinary(), nullable=False))
    created_at: datetime = _created()


# --- payments ----------------------------------------------------------------------------------


class PaymentMode(enum.StrEnum):
    ONLINE = "online"  # card or PayFiP through the provider
    CASH = "cash"
    CHEQUE = "cheque"
    CARD_TERMINAL = "card_terminal"
    TRANSFER = "transfer"
    CESU = "cesu"
    BASKET = "basket"  # the prepaid basket, paid online
    CREDIT_NOTE = "credit_note"  # an issued credit note, used as money received


class Payment(BillingModel, table=True):
    """Money received from a household; allocated to invoices, the rest is a credit."""

    __table_args__ = (Index("ix_payment_household", "tenant_id", "household_id"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    household_id: UUID
    mode: str = Field(max_length=20)
    amount_cents: int
    received_on: date
    reference: str | None = Field(default=None, max_length=200)
    payer: str | None = Field(default=None, max_length=200)
    transaction_id: UUID | None = Field(default=None, unique=True)
    # A credit note's amount, usable like money received (mode "credit_note").
    credit_note_id: UUID | None = Field(default=None, unique=True)
    receipt_number: str | None = Field(default=None, max_length=30, unique=True)
    recorded_by: str = Field(max_length=200)
    created_at: datetime = _created()


class Allocation(BillingModel, table=True):
    __table_args__ = (UniqueConstraint("payment_id", "invoice_id"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    payment_id: UUID = Field(index=True)
    invoice_id: UUID = Field(index=True)
    amount_cents: int
    created_at: datetime = _created()


class Refund(BillingModel, table=True):
    """A credit balance paid back to the family."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    household_id: UUID = Field(index=True)
    amount_cents: int
    mode: str = Field(max_length=20)
    refunded_on: date
    reference: str | None = Field(default=None, max_length=200)
    recorded_by: str = Field(max_length=200)
    created_at: datetime = _created()


class TransactionState(enum.StrEnum):
    CREATED = "created"  # asked the provider, not sent to the payer yet
    RUNNING = "running"  # the payer is on the provider's page
    PAID = "paid"
    DENIED = "denied"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ERROR = "error"


FINAL_TRANSACTION_STATES = frozenset(
    {
        TransactionState.PAID,
        TransactionState.DENIED,
        TransactionState.CANCELLED,
        TransactionState.EXPIRED,
    }
)


class PaymentTransaction(BillingModel, table=True):
    """One online payment attempt. Its id is in the return and notification URLs; its state
    changes under a row lock; one provider transaction id belongs to one of them."""

    __tablename__ = "payment_transaction"
    __table_args__ = (
        UniqueConstraint("backend", "provider_transaction_id"),
        Index("ix_payment_transaction_state", "state", "created_at"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID
    purpose: str = Field(max_length=20)
    backend: str = Field(max_length=30)
    amount_cents: int
    # What the payment is for: [{"invoice_id": ..., "amount_cents": ...}] or a basket.
    targets: list[Any] = _json()
    basket_id: UUID | None = None
    state: str = Field(default=TransactionState.CREATED, max_length=20)
    provider_transaction_id: str | None = Field(default=None, max_length=200)
    bank_status: str | None = Field(default=None, max_length=500)
    payment_id: UUID | None = None
    return_url: str | None = Field(default=None, max_length=500)
    payer_email: str | None = Field(default=None, max_length=254)
    last_polled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = _created()
    modified_at: datetime = _modified()


class PaymentIncident(BillingModel, table=True):
    """A refused payment attempt or notification (forged, tampered, another household's
    invoice, another tenant): kept for the billing office and the audit."""

    __tablename__ = "payment_incident"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID | None = Field(default=None, index=True)
    transaction_id: UUID | None = None
    kind: str = Field(max_length=40)
    detail: str = Field(max_length=1000)
    subject: str | None = Field(default=None, max_length=200)
    remote_addr: str | None = Field(default=None, max_length=100)
    created_at: datetime = _created()


# --- the prepaid meal basket (seed 001) --------------------------------------------------------


class BasketState(enum.StrEnum):
    OPEN = "open"
    TO_BE_PAID = "to_be_paid"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Basket(BillingModel, table=True):
    __table_args__ = (Index("ix_basket_state", "state", "expires_at"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(index=True)
    state: str = Field(default=BasketState.OPEN, max_length=20)
    total_cents: int = 0
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    transaction_id: UUID | None = None
    payment_id: UUID | None = None
    created_at: datetime = _created()
    modified_at: datetime = _modified()


class BasketItem(BillingModel, table=True):
    __tablename__ = "basket_item"
    __table_args__ = (UniqueConstraint("basket_id", "child_id", "activity_id", "day"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    basket_id: UUID = Field(index=True)
    child_id: UUID
    activity_id: UUID
    day: date
    unit_price: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    amount_cents: int
    rule: str = Field(max_length=300)


metadata = BillingModel.metadata
events = event_tables(metadata)
tenants = TenantDirectory(tenant_table(metadata))

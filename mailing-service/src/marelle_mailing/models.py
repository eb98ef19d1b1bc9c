"""The mailing-service's tables (its own metadata: no other service reads them)."""

from __future__ import annotations

from sqlmodel import SQLModel

from marelle_kit.database import new_registry
from marelle_kit.events import event_tables
from marelle_kit.tenant_directory import TenantDirectory, tenant_table


class MailingModel(SQLModel, registry=new_registry()):
    pass


metadata = MailingModel.metadata
events = event_tables(metadata)
tenants = TenantDirectory(tenant_table(metadata))

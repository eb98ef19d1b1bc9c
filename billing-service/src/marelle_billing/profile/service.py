"""The town's billing settings and its payment providers (administrators only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marelle_billing.models import BillingProfile, PaymentProvider, ProviderPurpose
from marelle_billing.money import cents_to_decimal, decimal_to_cents
from marelle_billing.profile.repository import ProfileRepository
from marelle_billing.profile.schemas import ProfileIn, ProfileOut, ProviderIn, ProviderOut
from marelle_billing.profile.secrets import SecretBox, secrets_key
from marelle_billing.settings import BillingSettings
from marelle_kit.database import WriteSession
from marelle_kit.errors import NotFound

# Options Marelle sets itself per transaction: never taken from the tenant's settings.
OWN_OPTIONS = frozenset({"normal_return_url", "automatic_return_url", "next_url"})
SECRET_OPTIONS = {"systempayv2": {"secret_test", "secret_production"}}


class InvalidProvider(ValueError):
    pass


def check_provider(data: ProviderIn) -> None:
    """The options against the backend's own description (eopayment): known names, required
    ones present, values its validators accept."""
    import eopayment

    backend = eopayment.get_backend(data.backend)
    parameters = {p["name"]: p for p in backend.description["parameters"]}
    secret_names = SECRET_OPTIONS.get(data.backend, set())
    given = {**data.options, **data.secrets}
    for name in given:
        if name not in parameters or name in OWN_OPTIONS:
            raise InvalidProvider(f"paramètre inconnu pour {data.backend} : {name}")
    for name in data.options:
        if name in secret_names:
            raise InvalidProvider(f"{name} est un secret : donnez-le dans secrets")
    for name, parameter in parameters.items():
        if name in OWN_OPTIONS or parameter.get("deprecated"):
            continue
        value = given.get(name)
        if parameter.get("required") and value is None and "default" not in parameter:
            raise InvalidProvider(f"paramètre obligatoire pour {data.backend} : {name}")
        validate = parameter.get("validation")
        if (
            value is not None
            and validate is not None
            and not (isinstance(value, str) and value.startswith("env:"))
            and not validate(value)
        ):
            raise InvalidProvider(f"valeur refusée pour {name}")
        choices = parameter.get("choices")
        if value is not None and choices and parameter.get("type") is not list:
            allowed = {c[0] if isinstance(c, tuple | list) else c for c in choices}
            if value not in allowed:
                raise InvalidProvider(f"{name} : choisissez parmi {', '.join(map(str, allowed))}")


class ProfileService:
    def __init__(self, session: WriteSession) -> None:
        self.repository = ProfileRepository(session)

    async def profile(self, tenant_id: UUID) -> BillingProfile:
        """The tenant's settings, or the defaults when it never saved any."""
        return await self.repository.get(tenant_id) or BillingProfile(id=tenant_id)

    async def view(self, tenant_id: UUID) -> ProfileOut:
        profile = await self.profile(tenant_id)
        return ProfileOut(
            invoice_prefix=profile.invoice_prefix,
            credit_note_prefix=profile.credit_note_prefix,
            receipt_prefix=profile.receipt_prefix,
            school_zone=profile.school_zone,
            cesu_accepted=profile.cesu_accepted,
            payee_name=profile.payee_name,
            payee_address=profile.payee_address,
            counter_details=profile.counter_details,
            minimum_invoice_amount=cents_to_decimal(profile.minimum_invoice_cents),
            basket_hold_minutes=profile.basket_hold_minutes,
        )

    async def update(self, tenant_id: UUID, data: ProfileIn) -> ProfileOut:
        profile = await self.repository.get(tenant_id) or BillingProfile(id=tenant_id)
        values = data.model_dump(exclude={"minimum_invoice_amount"})
        for key, value in values.items():
            setattr(profile, key, value)
        profile.minimum_invoice_cents = decimal_to_cents(data.minimum_invoice_amount)
        await self.repository.add(profile)
        return await self.view(tenant_id)

    async def online_enabled(self, tenant_id: UUID, purpose: str) -> bool:
        provider = await self.repository.provider(tenant_id, purpose)
        return provider is not None and provider.enabled

    async def providers(self, tenant_id: UUID) -> list[ProviderOut]:
        return [self._out(p) for p in await self.repository.providers(tenant_id)]

    @staticmethod
    def _out(provider: PaymentProvider) -> ProviderOut:
        return ProviderOut(
            purpose=provider.purpose,
            backend=provider.backend,
            options=provider.options or {},
            secrets=SecretBox.names(provider.secrets),
            enabled=provider.enabled,
        )

    async def set_provider(
        self, tenant_id: UUID, purpose: ProviderPurpose, data: ProviderIn, settings: BillingSettings
    ) -> ProviderOut:
        """``data`` was checked against the backend when it was parsed (ProviderIn)."""
        provider = await self.repository.provider(tenant_id, purpose) or PaymentProvider(
            tenant_id=tenant_id, purpose=purpose, backend=data.backend, options={}
        )
        box = SecretBox(secrets_key(settings))
        keep = provider.backend == data.backend
        secrets = {**(box.open(provider.secrets) if keep and provider.secrets else {})}
        provider.backend = data.backend
        provider.options = dict(data.options)
        provider.enabled = data.enabled
        # Secrets not given again are kept (a form never shows them back).
        provider.secrets = (
            box.seal({**secrets, **data.secrets}) if (secrets or data.secrets) else ""
        )
        await self.repository.add(provider)
        return self._out(provider)

    async def delete_provider(self, tenant_id: UUID, purpose: ProviderPurpose) -> None:
        provider = await self.repository.provider(tenant_id, purpose)
        if provider is None:
            raise NotFound("Aucun prestataire de paiement pour cet usage.")
        await self.repository.delete(provider)

    async def provider_config(
        self, tenant_id: UUID, purpose: str, settings: BillingSettings
    ) -> tuple[str, dict[str, Any]] | None:
        """(backend, options with the secrets opened) of an enabled provider, or None."""
        provider = await self.repository.provider(tenant_id, purpose)
        if provider is None or not provider.enabled:
            return None
        options: dict[str, Any] = dict(provider.options or {})
        options.update(SecretBox(secrets_key(settings)).open(provider.secrets))
        return provider.backend, options

from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_BILLING_", extra="ignore")

    port: int = 8104
    # The public address of the billing API through the gateway: payment providers are sent
    # back to it (return and notification URLs carry our transaction's id). "{slug}" is
    # replaced by the tenant's slug where towns have their own host names.
    public_url: str = "http://127.0.0.1:8000/api/billing"
    # The portal page the payer lands on after the provider ("{id}" = our transaction id).
    portal_return_url: str = "http://127.0.0.1:8000/factures/paiement/{id}"

    def billing_url(self, slug: str) -> str:
        return self.public_url.replace("{slug}", slug).rstrip("/")

    def return_page(self, slug: str, transaction_id: object) -> str:
        return self.portal_return_url.replace("{slug}", slug).replace("{id}", str(transaction_id))

    # Fernet key (base64, 32 bytes) encrypting the providers' secret options in the database.
    # Embedded mode keeps a generated one in the data directory (never in the database).
    secrets_key: str | None = None
    # The local simulator of the dummy backend signs its notifications with this key.
    dummy_signing_key: str | None = None
    # Invoices per PDF job run (each run renders its batch; workers run batches in parallel).
    pdf_batch: int = 100
    jobs_poll_interval: float = 2.0
    # Online transactions still running after this many minutes are asked to the provider.
    reconcile_after_minutes: int = 20
    basket_grace_minutes: int = 60

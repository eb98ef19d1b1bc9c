"""The Celery application of the PDF workers (``celery -A marelle_billing.documents.celery_worker
worker``), configured from the billing-service's settings (MARELLE_REDIS_URL as broker)."""

from __future__ import annotations

from marelle_billing.documents.celery_pdf import make_celery
from marelle_billing.settings import BillingSettings

_settings = BillingSettings()
if not _settings.platform.redis_url:
    raise RuntimeError("the PDF workers need MARELLE_REDIS_URL (their Celery broker)")
app = make_celery(_settings.platform.redis_url, _settings.celery_queue, _settings)

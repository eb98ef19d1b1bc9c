"""The Celery application of the mail workers (``celery -A marelle_mailing.mails.celery_worker
worker``), configured from the same settings as the service (MARELLE_REDIS_URL as broker)."""

from __future__ import annotations

from marelle_mailing.mails.celery_delivery import make_celery
from marelle_mailing.settings import MailingSettings

_settings = MailingSettings()
if not _settings.platform.redis_url:
    raise RuntimeError("the mail workers need MARELLE_REDIS_URL (their Celery broker)")
app = make_celery(_settings.platform.redis_url, _settings.celery_queue, _settings)

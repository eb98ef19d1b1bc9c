"""The SMS port and its adapters: a capture (embedded mode and tests: nothing leaves, the
message is kept here) and Brevo's transactional SMS API (a French provider; POST
/v3/transactionalSMS/send with the account's ``api-key``). Provider-neutral above this file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import aiohttp

from marelle_mailing.settings import MailingSettings


@dataclass(frozen=True)
class OutgoingSms:
    reference: str  # our message id: the provider's tag, for its reports
    sender: str
    phone: str  # E.164
    text: str
    unicode: bool


class SmsRefused(Exception):
    """The provider refused this message for good (bad number, sender not allowed...)."""


class SmsUnavailable(Exception):
    """The provider could not be reached or answered an error worth retrying."""


class SmsProvider(Protocol):
    async def send(self, sms: OutgoingSms) -> str:
        """Send one SMS; returns the provider's reference."""
        ...


class CaptureProvider:
    """Embedded mode: nothing leaves the machine; the message stays in the database."""

    async def send(self, sms: OutgoingSms) -> str:
        return f"capture:{sms.reference}"


class BrevoProvider:
    """Brevo transactional SMS (https://developers.brevo.com, « Send SMS message to a mobile
    number »): JSON {sender, recipient (country code, no +), content, type, tag,
    unicodeEnabled}; 201 with {messageId}; 400 for a bad request (not retried), 401/402
    (key, credit) and 5xx retried later."""

    def __init__(self, settings: MailingSettings) -> None:
        assert settings.sms_api_key, "the brevo provider needs MARELLE_MAILING_SMS_API_KEY"
        self.url = settings.sms_api_url
        self.key = settings.sms_api_key
        self.timeout = aiohttp.ClientTimeout(total=settings.sms_timeout)

    async def send(self, sms: OutgoingSms) -> str:
        body = {
            "sender": sms.sender,
            "recipient": sms.phone.removeprefix("+"),
            "content": sms.text,
            "type": "transactional",
            "tag": sms.reference,
            "unicodeEnabled": sms.unicode,
        }
        headers = {"api-key": self.key, "accept": "application/json"}
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as http,
                http.post(self.url, json=body, headers=headers) as response,
            ):
                answer = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise SmsUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if status in (200, 201, 202):
            return str(answer.get("messageId", "")) if isinstance(answer, dict) else ""
        message = answer.get("message", "") if isinstance(answer, dict) else ""
        if status == 400:
            raise SmsRefused(f"Brevo 400: {message}"[:500])
        raise SmsUnavailable(f"Brevo {status}: {message}"[:500])


def provider_for(settings: MailingSettings) -> SmsProvider:
    return BrevoProvider(settings) if settings.sms_provider == "brevo" else CaptureProvider()

"""The billing-service's client. Its pages (invoices, payments, tariffs) come with the billing
issue: add a method per call here, on the base (a path, a model in, a model out)."""

from __future__ import annotations

from marelle_gateway.clients.base import ServiceClient


class BillingClient(ServiceClient):
    service = "billing"

"""The billing-service's typed refusals (problem+json types are stable: pages key on them)."""

from __future__ import annotations

from marelle_kit.errors import Conflict, Forbidden, NotFound, Problem


class TariffOverlap(Conflict):
    type = "tariff-overlap"
    title = "Tarifs qui se chevauchent"


class TariffInUse(Conflict):
    type = "tariff-in-use"
    title = "Tarif déjà facturé"


class UnknownActivity(NotFound):
    type = "activity-not-found"
    title = "Activité inconnue"


class UnknownHousehold(NotFound):
    type = "household-not-found"
    title = "Foyer inconnu"


class UnknownChild(NotFound):
    type = "child-not-found"
    title = "Enfant inconnu"


class RunConflict(Conflict):
    type = "invoice-run-conflict"
    title = "Campagne de facturation impossible"


class RunHasErrors(Conflict):
    type = "invoice-run-has-errors"
    title = "La campagne a des erreurs bloquantes"


class InvoiceImmutable(Conflict):
    type = "invoice-immutable"
    title = "Facture émise : elle ne change plus"


class PaymentRefused(Conflict):
    type = "payment-refused"
    title = "Paiement refusé"


class AlreadyPaid(Conflict):
    type = "already-paid"
    title = "Déjà payé"


class OnlinePaymentUnavailable(Conflict):
    type = "online-payment-unavailable"
    title = "Paiement en ligne indisponible"


class ProviderUnreachable(Problem):
    status = 502
    type = "payment-provider-unreachable"
    title = "Prestataire de paiement injoignable"


class NotificationRefused(Forbidden):
    type = "payment-notification-refused"
    title = "Notification de paiement refusée"


class CesuRefused(Conflict):
    type = "cesu-refused"
    title = "CESU non accepté"


class BasketConflict(Conflict):
    type = "basket-conflict"
    title = "Panier non modifiable"


class NothingToRefund(Conflict):
    type = "nothing-to-refund"
    title = "Aucun crédit à rembourser"


class SecretsUnavailable(Conflict):
    type = "secrets-key-missing"
    title = "Clé de chiffrement absente"

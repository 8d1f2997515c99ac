"""Constants shared by the models of cobranca_addon."""

#: Payment states of an invoice that is never reminded.
CLOSED_PAYMENT_STATES = ("paid", "in_payment", "reversed", "blocked")

#: Messages are created by the thousand: no creation log, no follower, no tracking.
NO_CHATTER_NOISE = {
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "tracking_disable": True,
}

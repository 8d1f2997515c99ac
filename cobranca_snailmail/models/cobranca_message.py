from odoo import models

from .snailmail_letter import POSTABLE_STATES


class CobrancaMessage(models.Model):
    _inherit = "cobranca.message"

    def _cancel_obsolete(self, moves=None):
        """Cancel the snailmail letters of the messages cancelled because all
        their items were settled: the message alone was cancelled before, and
        snailmail's queue would still post its letter."""
        obsolete = super()._cancel_obsolete(moves=moves)
        if obsolete:
            self.env["snailmail.letter"].sudo().search(
                [
                    ("model", "=", self._name),
                    ("res_id", "in", obsolete.ids),
                    ("state", "in", POSTABLE_STATES),
                ]
            ).cancel()
        return obsolete

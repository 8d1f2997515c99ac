from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, models

from .constants import NO_CHATTER_NOISE

#: Payments older than this, at the first run after thanks are switched on, are
#: not thanked: a thank-you weeks later would be odd.
THANKS_WINDOW_DAYS = 7


class CobrancaChannelThanks(models.AbstractModel):
    """Thank-you e-mails, sent once after reminded items are paid (optional per
    policy)."""

    _name = "cobranca.channel.thanks"
    _description = "Cobrança: Thank-you Messages"

    @api.model
    def _send_thanks(self, runs):
        """Thank each customer whose reminded items were paid since the last run.

        One e-mail per customer and run listing the paid items; customers who cannot
        be e-mailed are not thanked (no fallback: a thank-you is no reason to call).
        """
        Line = self.env["cobranca.line"]
        messages = self.browse()
        for run in runs:
            lines = Line.search(
                [
                    ("company_id", "=", run.company_id.id),
                    ("state", "=", "sent"),
                    ("thanks_date", "=", False),
                    ("policy_id.thank_you", "=", True),
                    ("move_line_id.reconciled", "=", True),
                    (
                        "move_line_id.matched_credit_ids.max_date",
                        ">=",
                        run.date - timedelta(days=THANKS_WINDOW_DAYS),
                    ),
                ]
            )
            if not lines:
                continue
            line_ids = defaultdict(list)  # browsed once (|= in a loop is quadratic)
            for line in lines:
                line_ids[line.partner_id].append(line.id)
            groups = {partner: Line.browse(ids) for partner, ids in line_ids.items()}
            values_list = []
            for partner, partner_lines in groups.items():
                recipient, _problem = self._recipient_email(partner)
                if not recipient:
                    continue
                values_list.append(
                    {
                        "company_id": run.company_id.id,
                        "partner_id": partner.id,
                        "recipient_id": recipient.id,
                        "channel": "email",
                        "kind": "thanks",
                        "level_id": partner_lines.level_id.sorted("days")[-1].id,
                        "run_id": run.id,
                        "date": run.date,
                        "line_ids": [Command.set(partner_lines.ids)],
                        "item_ids": [Command.set(partner_lines.move_line_id.ids)],
                        "amount_residual": 0.0,
                    }
                )
            lines.write({"thanks_date": run.date})
            messages |= self.with_context(**NO_CHATTER_NOISE).create(values_list)
        messages._send()
        return messages

    def _paid_items(self):
        """The paid items a thank-you lists: invoice, instalment, amount, currency."""
        self.ensure_one()
        return [
            {
                "name": item.move_id.name,
                "instalment": item._cobranca_instalment_label(),
                "amount": abs(item.amount_currency),
                "currency": item.currency_id,
            }
            for item in self.line_ids.move_line_id.sorted(lambda i: (i.date_maturity, i.id))
        ]

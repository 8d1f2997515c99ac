from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _cobranca_amount_to_invoice(self, commercials, company):
        """What confirmed sale orders still have to invoice (untaxed), in the company
        currency: it counts in the customer's credit exposure. One query."""
        result = super()._cobranca_amount_to_invoice(commercials, company)
        groups = (
            self.env["sale.order.line"]
            .sudo()
            ._read_group(
                [
                    ("state", "=", "sale"),
                    ("company_id", "=", company.id),
                    ("order_partner_id.commercial_partner_id", "in", commercials.ids),
                    ("untaxed_amount_to_invoice", ">", 0),
                ],
                ["order_partner_id", "currency_id"],
                ["untaxed_amount_to_invoice:sum"],
            )
        )
        today = fields.Date.context_today(self)
        for partner, currency, amount in groups:
            commercial = partner.commercial_partner_id.id
            converted = currency._convert(amount, company.currency_id, company, today)
            result[commercial] = result.get(commercial, 0.0) + converted
        return result

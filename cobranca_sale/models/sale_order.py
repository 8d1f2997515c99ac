from odoo import api, fields, models

from odoo.addons.cobranca_addon.models.res_partner import CREDIT_STATUS


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "cobranca.credit.hold.mixin"]

    cobranca_credit_status = fields.Selection(
        CREDIT_STATUS,
        string="Customer Credit",
        compute="_compute_cobranca_credit_status",
        help="May this customer buy on credit now?",
    )
    cobranca_credit_reasons = fields.Text(
        string="Customer Credit Reasons", compute="_compute_cobranca_credit_status"
    )

    @api.depends("partner_id", "company_id")
    def _compute_cobranca_credit_status(self):
        orders = self.filtered(lambda order: order.partner_id and order.company_id)
        (self - orders).update({"cobranca_credit_status": False, "cobranca_credit_reasons": False})
        for company, company_orders in orders.grouped("company_id").items():
            data = company_orders._cobranca_partners()._cobranca_credit_data(company)
            for order in company_orders:
                values = data.get(order.partner_id.commercial_partner_id.id, {})
                order.cobranca_credit_status = values.get("status", "ok")
                order.cobranca_credit_reasons = "\n".join(values.get("reasons", [])) or False

    def _cobranca_partners(self):
        return self.partner_id.commercial_partner_id

    def _cobranca_prepayment_orders(self):
        """Orders of customers whose credit policy requires prepayment, not fully paid."""
        holds = self._cobranca_credit_holds("prepayment")
        return {
            order: values
            for order, values in holds.items()
            if order.currency_id.compare_amounts(order.amount_paid, order.amount_total) < 0
        }

    def action_confirm(self):
        """Orders of blocked customers need a Cobrança manager (who gives a reason);
        those requiring prepayment must be paid first."""
        if not self.env.context.get("cobranca_credit_override"):
            holds = self._cobranca_credit_holds("block_sale")
            holds.update(self._cobranca_prepayment_orders())
            if holds:
                return self._cobranca_hold_action(holds, "action_confirm")
        return super().action_confirm()

    @api.depends("partner_id")
    def _compute_require_payment(self):
        res = super()._compute_require_payment()
        for order in self._cobranca_prepayment_orders():
            order.require_payment = True
        return res

    @api.depends("require_payment", "partner_id")
    def _compute_prepayment_percent(self):
        res = super()._compute_prepayment_percent()
        for order in self._cobranca_prepayment_orders():
            order.prepayment_percent = 1.0
        return res

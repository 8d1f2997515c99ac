from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.cobranca_negotiation import CHANNELS


class CobrancaAgreementWizard(models.TransientModel):
    """Propose an agreement over overdue items: the updated amount, the discount
    the user may grant, the instalments and the CDC art. 52 disclosure, shown
    live; then offer it to the customer or confirm it."""

    _name = "cobranca.agreement.wizard"
    _inherit = ["cobranca.agreement.terms"]
    _description = "New Collection Agreement"

    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Items",
        domain="[('partner_id.commercial_partner_id', '=', partner_id),"
        " ('account_id.account_type', '=', 'asset_receivable'),"
        " ('parent_state', '=', 'posted'), ('reconciled', '=', False),"
        " ('amount_residual', '>', 0), ('company_id', '=', company_id)]",
    )
    channel = fields.Selection(CHANNELS, string="Negotiated By", default="phone", required=True)
    error = fields.Char(compute="_compute_preview")
    amount_principal = fields.Monetary(string="Open Amount", compute="_compute_preview")
    amount_charges = fields.Monetary(string="Charges", compute="_compute_preview")
    amount_updated = fields.Monetary(string="Updated Amount", compute="_compute_preview")
    discount_limit = fields.Monetary(string="You May Grant", compute="_compute_preview")
    amount_financed = fields.Monetary(string="Agreed Amount", compute="_compute_preview")
    amount_total = fields.Monetary(string="Total of the Instalments", compute="_compute_preview")
    effective_annual_rate = fields.Float(
        string="Effective Annual Rate (%)", digits=(16, 2), compute="_compute_preview"
    )
    preview_html = fields.Html(string="Preview", compute="_compute_preview", sanitize=False)

    @api.model
    def _action_open(self, partner, lines):
        """The wizard for ``partner``'s ``lines`` (all their overdue items if none)."""
        if not lines:
            lines = self.env["account.move.line"].search(
                [
                    ("partner_id.commercial_partner_id", "=", partner.id),
                    ("company_id", "=", self.env.company.id),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("amount_residual", ">", 0),
                    ("date_maturity", "<", fields.Date.context_today(self)),
                ]
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New agreement"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": partner.id,
                "default_company_id": (lines[:1].company_id or self.env.company).id,
                "default_move_line_ids": [Command.set(lines.ids)],
            },
        }

    def _terms_lines(self):
        return self.move_line_ids

    @api.depends(
        "move_line_ids",
        "date",
        "discount_amount",
        "instalment_count",
        "first_due",
        "periodicity",
        "down_payment",
        "monthly_rate",
    )
    def _compute_preview(self):
        for wizard in self:
            values = dict.fromkeys(
                (
                    "amount_principal",
                    "amount_charges",
                    "amount_updated",
                    "discount_limit",
                    "amount_financed",
                    "amount_total",
                    "effective_annual_rate",
                ),
                0.0,
            )
            values.update(error=False, preview_html=False)
            if wizard.move_line_ids and wizard.partner_id and wizard.first_due and wizard.date:
                try:
                    terms = wizard._compute_terms()
                except UserError as error:
                    values["error"] = error.args[0]
                else:
                    charges = terms["charges"]
                    values.update(
                        amount_principal=float(charges.principal),
                        amount_charges=float(charges.charges),
                        amount_updated=float(charges.total),
                        discount_limit=wizard._discount_limit(float(charges.total)),
                        amount_financed=float(terms["financed"]),
                        amount_total=float(terms["plan"].total),
                        effective_annual_rate=float(terms["plan"].effective_annual_rate * 100),
                        preview_html=self.env["ir.qweb"]._render(
                            "cobranca_addon.cobranca_agreement_preview",
                            {
                                "doc": wizard._document_values_from_terms(terms),
                                "currency": wizard.currency_id,
                                "company": wizard.company_id,
                            },
                        ),
                    )
            wizard.update(values)

    def _create_agreement(self):
        self.ensure_one()
        terms = self._compute_terms()
        self._check_discount(terms)
        Agreement = self.env["cobranca.agreement"]
        values = Agreement._values_from_terms(self, terms)
        values.update(channel=self.channel, user_id=self.env.user.id)
        return Agreement.create(values)

    def _open(self, agreement):
        return {
            "type": "ir.actions.act_window",
            "res_model": agreement._name,
            "res_id": agreement.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_offer(self):
        """Offer the agreement: the customer receives it by e-mail, with a link to
        accept it online."""
        agreement = self._create_agreement()
        agreement.action_send_offer()
        return self._open(agreement)

    def action_confirm(self):
        """The customer already agreed: book the agreement now."""
        agreement = self._create_agreement()
        agreement.action_confirm()
        return self._open(agreement)

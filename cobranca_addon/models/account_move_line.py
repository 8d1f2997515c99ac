from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.sql import column_exists, create_column

from ..tools import encargos
from .constants import CLOSED_PAYMENT_STATES


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    cobranca_line_ids = fields.One2many(
        "cobranca.line",
        "move_line_id",
        string="Dunning Lines",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_level_id = fields.Many2one(
        "cobranca.level",
        string="Collection Level",
        compute="_compute_cobranca_level",
        store=True,
        index="btree_not_null",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_excluded = fields.Boolean(
        related="move_id.cobranca_excluded",
        string="Excluded from cobrança",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_agreement_item_id = fields.Many2one(
        "cobranca.agreement.item",
        string="Agreement Item",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The original item this line settles in an agreement's entry.",
    )
    cobranca_agreement_instalment_id = fields.Many2one(
        "cobranca.agreement.instalment",
        string="Agreement Instalment",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    cobranca_days_late = fields.Integer(
        string="Days Late",
        compute="_compute_cobranca_days_late",
        help="Days since the due date, as of today (negative before it).",
    )

    def _auto_init(self):
        # Created empty: computing it for every journal item at install would be
        # slow on big databases, and nothing was dunned before the install.
        if not column_exists(self.env.cr, "account_move_line", "cobranca_level_id"):
            create_column(self.env.cr, "account_move_line", "cobranca_level_id", "int4")
        return super()._auto_init()

    @api.depends("cobranca_line_ids.state", "cobranca_line_ids.level_id")
    def _compute_cobranca_level(self):
        for item in self:
            sent = item.cobranca_line_ids.filtered(lambda line: line.state == "sent")
            item.cobranca_level_id = sent.level_id.sorted("days")[-1:]

    @api.depends("date_maturity")
    @api.depends_context("tz")
    def _compute_cobranca_days_late(self):
        today = fields.Date.context_today(self)
        for item in self:
            item.cobranca_days_late = (today - item.date_maturity).days if item.date_maturity else 0

    @api.model
    def _cobranca_open_items_domain(self, partners, companies, on=None):
        """The customers' open receivable items in the companies: the instalments
        of posted invoices and agreements not paid, and their credits (credit
        notes, unapplied payments). Invoices excluded from cobrança (a dispute)
        are left out. The statement lists these; a reminder too, but, given
        ``on`` (a date), without the invoices whose promise to pay pauses the
        régua that day.
        """
        debits = [
            [
                "|",
                ("move_id.move_type", "=", "out_invoice"),
                ("move_id.cobranca_agreement_id", "!=", False),
            ],
            [("move_id.payment_state", "not in", CLOSED_PAYMENT_STATES)],
            [("move_id.cobranca_excluded", "=", False)],
        ]
        if on:
            debits.append(
                [
                    "|",
                    ("move_id.cobranca_paused_until", "=", False),
                    ("move_id.cobranca_paused_until", "<", on),
                ]
            )
        return [
            ("company_id", "in", companies.ids),
            ("partner_id.commercial_partner_id", "in", partners.ids),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual_currency", "!=", 0),
            "|",
            ("amount_residual_currency", "<", 0),
            *expression.AND(debits),
        ]

    def _cobranca_instalment_label(self):
        """``"2/3"`` for the second of three instalments of an invoice, else ``""``."""
        self.ensure_one()
        instalments = self.move_id.line_ids.filtered(
            lambda line: (
                line.account_id == self.account_id and line.date_maturity and line.balance > 0
            )
        ).sorted(lambda line: (line.date_maturity, line.id))
        if len(instalments) < 2 or self not in instalments:
            return ""
        return f"{list(instalments).index(self) + 1}/{len(instalments)}"

    def action_open_cobranca_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    def _cobranca_charges(self, on):
        """What these open items are worth on the date ``on``: their open amount
        plus the late charges of the company's rules (late fee, default interest,
        monetary correction), each item's :class:`..tools.encargos.Charges` by
        line. Items of several customers or companies are computed each with
        their own rules.

        :raise UserError: when a rule cannot be applied (an index month missing)
        """
        result = {}
        line_ids = defaultdict(list)  # browsed once (|= in a loop is quadratic)
        for line in self:
            line_ids[(line.company_id, line.partner_id.commercial_partner_id)].append(line.id)
        groups = {key: self.browse(ids) for key, ids in line_ids.items()}
        for (company, partner), lines in groups.items():
            currency = company.currency_id
            step = Decimal(str(currency.rounding))
            oldest = min((line.date_maturity or on for line in lines), default=on)
            rules = company._cobranca_charge_rules(partner, oldest, on)
            for line in lines:
                result[line] = encargos.updated_value(
                    Decimal(str(currency.round(line.amount_residual))),
                    line.date_maturity or on,
                    on,
                    rules,
                    rounding=step,
                )
        return result

    def action_cobranca_new_agreement(self):
        """An agreement over the selected items (of one customer)."""
        partners = self.partner_id.commercial_partner_id
        if len(partners) != 1:
            raise UserError(self.env._("Select the items of one customer for an agreement."))
        return self.env["cobranca.agreement.wizard"]._action_open(partners, self)

    def action_cobranca_log_contact(self):
        """Log a contact about the selected items (of one customer)."""
        partners = self.partner_id.commercial_partner_id
        if len(partners) != 1:
            raise UserError(self.env._("Select the items of one customer to log a contact."))
        return self.env["cobranca.negotiation"]._action_log(partners, self.move_id)

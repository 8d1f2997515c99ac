from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import column_exists, create_column

from ..tools import regua
from .constants import CLOSED_PAYMENT_STATES


class AccountMove(models.Model):
    _inherit = "account.move"

    cobranca_line_ids = fields.One2many(
        "cobranca.line",
        "move_id",
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
        help="The highest level of the régua reached by the invoice's instalments.",
    )
    cobranca_last_date = fields.Date(
        string="Last Reminder",
        compute="_compute_cobranca_level",
        store=True,
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_next_date = fields.Date(
        string="Next Reminder",
        compute="_compute_cobranca_next_date",
        groups="cobranca_addon.group_cobranca_user",
        help="When the régua will remind this invoice next, if nothing changes.",
    )
    cobranca_excluded = fields.Boolean(
        string="Excluded from cobrança",
        copy=False,
        tracking=True,
        groups="cobranca_addon.group_cobranca_user",
        help="No reminder is sent for an excluded invoice (e.g. in dispute).",
    )
    cobranca_exclusion_reason = fields.Char(
        string="Exclusion Reason",
        copy=False,
        tracking=True,
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_message_count = fields.Integer(
        string="Number of Reminders",
        compute="_compute_cobranca_message_count",
        groups="cobranca_addon.group_cobranca_user",
    )

    def _auto_init(self):
        # Create the stored computed columns empty instead of computing them for
        # every existing invoice: nothing was dunned before the install.
        for column, column_type in (("cobranca_level_id", "int4"), ("cobranca_last_date", "date")):
            if not column_exists(self.env.cr, "account_move", column):
                create_column(self.env.cr, "account_move", column, column_type)
        return super()._auto_init()

    @api.depends("cobranca_line_ids.state", "cobranca_line_ids.level_id", "cobranca_line_ids.date")
    def _compute_cobranca_level(self):
        for move in self:
            sent = move.cobranca_line_ids.filtered(lambda line: line.state == "sent")
            move.cobranca_level_id = sent.level_id.sorted("days")[-1:]
            move.cobranca_last_date = max(sent.mapped("date"), default=False)

    def _compute_cobranca_message_count(self):
        # shown on the invoice form only: one record at a time
        Message = self.env["cobranca.message"]
        for move in self:
            move.cobranca_message_count = (
                Message.search_count([("line_ids.move_id", "=", move.id)]) if move.id else 0
            )

    def _compute_cobranca_next_date(self):
        for move in self:
            move.cobranca_next_date = move._cobranca_next_reminder()[0]

    def _cobranca_policy(self):
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(self.company_id)
        return partner.cobranca_policy_id or self.company_id.cobranca_policy_id

    def _cobranca_can_be_reminded(self):
        self.ensure_one()
        return (
            self.state == "posted"
            and self.move_type == "out_invoice"
            and self.payment_state not in CLOSED_PAYMENT_STATES
            and not self.cobranca_excluded
            and self.commercial_partner_id.active
        )

    def _cobranca_next_reminder(self):
        """``(date, level)`` of the next reminder of this invoice, if nothing changes.

        Applies the pure rules of :mod:`..tools.regua` to each open instalment.
        """
        self.ensure_one()
        if not self.id or not self._cobranca_can_be_reminded():
            return False, False
        policy = self._cobranca_policy()
        if not policy:
            return False, False
        steps = policy._regua_steps()
        today = self.env["cobranca.run"]._company_today(self.company_id)
        partner_lines = self.env["cobranca.line"].search(
            [
                ("partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "!=", "cancelled"),
            ]
        )
        last_contact = max(partner_lines.mapped("date"), default=None)
        best = (False, False)
        for item in self.line_ids.filtered(
            lambda line: (
                line.account_type == "asset_receivable"
                and not line.reconciled
                and line.amount_residual_currency > 0
                and line.date_maturity
            )
        ):
            reached = partner_lines.filtered(lambda line, item=item: line.move_line_id == item)
            reached_days = max(reached.level_id.mapped("days"), default=None)
            day, step = regua.next_step_date(
                steps,
                item.date_maturity,
                today,
                reached_days=reached_days,
                last_contact=last_contact,
                min_interval=policy.min_interval_days,
            )
            if day and (not best[0] or day < best[0]):
                best = (day, self.env["cobranca.level"].browse(step.key))
        return best

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_cobranca_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_line_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_open_cobranca_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_message_action"
        )
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_cobranca_exclude(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_exclusion_wizard_action"
        )
        action["context"] = {"active_model": self._name, "active_ids": self.ids}
        return action

    def action_cobranca_include(self):
        self.write({"cobranca_excluded": False, "cobranca_exclusion_reason": False})

    def _cobranca_exclude(self, reason):
        """Stop reminding these invoices; pending reminders of them are cancelled."""
        if not reason:
            raise UserError(self.env._("Say why the invoices are excluded from cobrança."))
        self.write({"cobranca_excluded": True, "cobranca_exclusion_reason": reason})
        # housekeeping of the module's own records, allowed to every collector
        self.env["cobranca.message"].sudo()._cancel_obsolete(moves=self)

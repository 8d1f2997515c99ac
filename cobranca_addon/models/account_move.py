from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import column_exists, create_column

from ..tools import entrada, regua
from .constants import CLOSED_PAYMENT_STATES
from .res_partner import CREDIT_STATUS


class AccountMove(models.Model):
    _inherit = ["account.move", "cobranca.credit.hold.mixin"]
    _name = "account.move"

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
    cobranca_agreement_id = fields.Many2one(
        "cobranca.agreement",
        string="Agreement",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The agreement (acordo) this entry books: its instalments are reminded by the "
        "régua like invoices.",
    )
    cobranca_evidence_count = fields.Integer(
        string="AR-tracked E-mails",
        compute="_compute_cobranca_evidence_count",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_in_agreement = fields.Boolean(
        string="Renegotiated",
        compute="_compute_cobranca_in_agreement",
        groups="cobranca_addon.group_cobranca_user",
        help="Items of this invoice are part of an agreement.",
    )
    cobranca_negotiation_ids = fields.Many2many(
        "cobranca.negotiation",
        "cobranca_negotiation_move_rel",
        "move_id",
        "negotiation_id",
        string="Contacts",
        copy=False,
        readonly=True,
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_paused_until = fields.Date(
        string="Régua Paused Until",
        compute="_compute_cobranca_paused_until",
        store=True,
        groups="cobranca_addon.group_cobranca_user",
        help="An open promise to pay pauses the régua for this invoice until the promised "
        "date plus the grace period.",
    )
    cobranca_message_count = fields.Integer(
        string="Number of Reminders",
        compute="_compute_cobranca_message_count",
        groups="cobranca_addon.group_cobranca_user",
    )

    cobranca_credit_status = fields.Selection(
        CREDIT_STATUS,
        string="Customer Credit",
        compute="_compute_cobranca_credit_status",
        help="The customer's credit status in the invoice's company.",
    )
    cobranca_credit_reasons = fields.Text(
        string="Customer Credit Reasons", compute="_compute_cobranca_credit_status"
    )

    def _auto_init(self):
        # Create the stored computed columns empty instead of computing them for
        # every existing invoice: nothing was dunned before the install.
        for column, column_type in (
            ("cobranca_level_id", "int4"),
            ("cobranca_last_date", "date"),
            ("cobranca_paused_until", "date"),
        ):
            if not column_exists(self.env.cr, "account_move", column):
                create_column(self.env.cr, "account_move", column, column_type)
        return super()._auto_init()

    @api.depends("cobranca_line_ids.state", "cobranca_line_ids.level_id", "cobranca_line_ids.date")
    def _compute_cobranca_level(self):
        for move in self:
            sent = move.cobranca_line_ids.filtered(lambda line: line.state == "sent")
            move.cobranca_level_id = sent.level_id.sorted("days")[-1:]
            move.cobranca_last_date = max(sent.mapped("date"), default=False)

    @api.depends("cobranca_negotiation_ids.state", "cobranca_negotiation_ids.pause_until")
    def _compute_cobranca_paused_until(self):
        for move in self:
            move.cobranca_paused_until = max(
                (
                    negotiation.pause_until
                    for negotiation in move.cobranca_negotiation_ids
                    if negotiation.state == "open" and negotiation.pause_until
                ),
                default=False,
            )

    def _compute_cobranca_evidence_count(self):
        counts = dict(
            self.env["cobranca.evidence"]._read_group(
                [("move_ids", "in", self.ids)], ["move_ids"], ["__count"]
            )
        )
        for move in self:
            move.cobranca_evidence_count = counts.get(move, 0)

    def _compute_cobranca_in_agreement(self):
        moves = {
            move.id
            for [move] in self.env["cobranca.agreement.item"]
            .sudo()
            ._read_group(
                [("move_id", "in", self.ids), ("agreement_id.state", "!=", "cancelled")],
                ["move_id"],
            )
        }
        for move in self:
            move.cobranca_in_agreement = move.id in moves

    def _cobranca_document_name(self):
        """How the customer knows this document: the agreement's number for the
        entry of an agreement, else the invoice number."""
        self.ensure_one()
        return self.cobranca_agreement_id.name or self.name

    def _cobranca_payment_url(self):
        """Where the customer sees and pays this document (the portal)."""
        self.ensure_one()
        document = self.cobranca_agreement_id.sudo() or self
        if not document.access_token:
            return False
        return self.get_base_url() + document.get_portal_url()

    def _cobranca_paused(self, today=None):
        """Whether an open promise to pay pauses the régua for this invoice today."""
        self.ensure_one()
        today = today or self.company_id._cobranca_local_now().date()
        return bool(self.cobranca_paused_until and self.cobranca_paused_until >= today)

    @api.depends("commercial_partner_id", "company_id")
    def _compute_cobranca_credit_status(self):
        customers = self.filtered(
            lambda move: move.is_sale_document(include_receipts=True) and move.commercial_partner_id
        )
        (self - customers).update(
            {"cobranca_credit_status": False, "cobranca_credit_reasons": False}
        )
        for company, moves in customers.grouped("company_id").items():
            data = moves.commercial_partner_id._cobranca_credit_data(company)
            for move in moves:
                values = data.get(move.commercial_partner_id.id, {})
                move.cobranca_credit_status = values.get("status", "ok")
                move.cobranca_credit_reasons = "\n".join(values.get("reasons", [])) or False

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
        return self.commercial_partner_id._cobranca_regua(self.company_id)

    def _cobranca_can_be_reminded(self):
        self.ensure_one()
        return (
            self.state == "posted"
            and (self.move_type == "out_invoice" or self.cobranca_agreement_id)
            and self.payment_state not in CLOSED_PAYMENT_STATES
            and not self.cobranca_excluded
            and not self._cobranca_paused()
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
    # Credit hold on posting
    # ------------------------------------------------------------------

    def action_post(self):
        """Customer invoices of customers beyond a credit policy that blocks posting
        need a Cobrança manager, who gives a reason; under a warning policy the
        invoice is posted and the warning logged on it."""
        if self.env.context.get("cobranca_credit_override"):
            return super().action_post()
        invoices = self.filtered(lambda move: move.move_type == "out_invoice")
        holds = invoices._cobranca_credit_holds("block_posting")
        if holds:
            return self._cobranca_hold_action(holds, "action_post")
        result = super().action_post()
        invoices._cobranca_log_credit_warnings()
        return result

    def _cobranca_partners(self):
        return self.commercial_partner_id

    def _cobranca_log_credit_warnings(self):
        posted = self.filtered(lambda move: move.state == "posted")
        for company, moves in posted.grouped("company_id").items():
            data = moves.commercial_partner_id._cobranca_credit_data(company)
            for move in moves:
                values = data.get(move.commercial_partner_id.id, {})
                if values.get("status") in ("warning", "blocked"):
                    move._message_log(
                        body=self.env._(
                            "Posted while the customer's credit status is %(status)s: %(reasons)s",
                            status=dict(CREDIT_STATUS)[values["status"]],
                            reasons=" ".join(values["reasons"]),
                        )
                    )

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

    def action_cobranca_log_contact(self):
        partners = self.commercial_partner_id
        if len(partners) != 1:
            raise UserError(self.env._("Log a contact with one customer at a time."))
        return self.env["cobranca.negotiation"]._action_log(partners, self)

    def action_cobranca_new_agreement(self):
        partners = self.commercial_partner_id
        if len(partners) != 1:
            raise UserError(self.env._("An agreement is about the items of one customer."))
        lines = self.line_ids.filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable"
                and not line.reconciled
                and line.amount_residual > 0
            )
        )
        return self.env["cobranca.agreement.wizard"]._action_open(partners, lines)

    def action_open_cobranca_agreement(self):
        self.ensure_one()
        agreements = self.cobranca_agreement_id | self.env["cobranca.agreement"].search(
            [("item_ids.move_id", "=", self.id)]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_agreement_action"
        )
        action["domain"] = [("id", "in", agreements.ids)]
        if len(agreements) == 1:
            action.update(res_id=agreements.id, view_mode="form", views=[(False, "form")])
        return action

    def action_open_cobranca_evidence(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_evidence_action"
        )
        action["domain"] = [("move_ids", "in", self.ids)]
        action["context"] = {}
        return action

    def action_open_cobranca_negotiations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_negotiation_action"
        )
        action["domain"] = [("move_ids", "in", self.ids)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "default_move_ids": [(6, 0, self.ids)],
        }
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
        if not reason or not isinstance(reason, str):
            raise UserError(self.env._("Say why the invoices are excluded from cobrança."))
        if not entrada.is_short_text(reason, entrada.MAX_REASON_LENGTH):
            raise UserError(
                self.env._(
                    "The reason has at most %(limit)s characters.", limit=entrada.MAX_REASON_LENGTH
                )
            )
        self.write({"cobranca_excluded": True, "cobranca_exclusion_reason": reason})
        # housekeeping of the module's own records, allowed to every collector
        self.env["cobranca.message"].sudo()._cancel_obsolete(moves=self)

from odoo import api, fields, models
from odoo.exceptions import UserError

from .cobranca_level import ESCALATIONS
from .constants import CLOSED_PAYMENT_STATES

#: What users change on an escalation: who carries it out, its documents and
#: notes. Its customer, kind and items are the run's; the items' states and dates
#: (the Súmula 548 deadline among them) change with their buttons only.
EDITABLE_FIELDS = {"user_id", "note", "document_ids"}

ITEM_STATES = [
    ("todo", "To Do"),
    ("requested", "Requested"),
    ("done", "Done"),
    ("withdrawn", "Withdrawn"),
    ("cancelled", "Cancelled"),
]


class CobrancaEscalation(models.Model):
    """A formal escalation of one customer's debts: protesto, negativação or a
    lawsuit. A tracked step with a responsible, dates and documents, not a
    message."""

    _name = "cobranca.escalation"
    _description = "Collection Escalation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    kind = fields.Selection(ESCALATIONS, required=True, readonly=True, tracking=True)
    level_id = fields.Many2one("cobranca.level", readonly=True, ondelete="restrict")
    user_id = fields.Many2one("res.users", string="Responsible", tracking=True, index=True)
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    item_ids = fields.One2many("cobranca.escalation.item", "escalation_id", string="Items")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(compute="_compute_amount", store=True)
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")],
        compute="_compute_state",
        store=True,
        index=True,
        help="Open while an item is to do, requested or done and not yet withdrawn.",
    )
    withdrawal_overdue = fields.Boolean(
        compute="_compute_withdrawal_overdue",
        search="_search_withdrawal_overdue",
        help="An item was paid and its withdrawal is late.",
    )
    document_ids = fields.Many2many(
        "ir.attachment",
        string="Documents",
        help="Protocol of the notary, proof of the bureau's listing, petition...",
    )
    note = fields.Html()

    @api.depends("kind", "partner_id.name", "date")
    def _compute_name(self):
        labels = dict(ESCALATIONS)
        for escalation in self:
            escalation.name = (
                f"{labels.get(escalation.kind, '')} – {escalation.partner_id.name or ''}"
            )

    @api.depends("item_ids.amount", "item_ids.state")
    def _compute_amount(self):
        for escalation in self:
            escalation.amount = escalation.currency_id.round(
                sum(
                    item.amount
                    for item in escalation.item_ids
                    if item.state in ("todo", "requested", "done")
                )
            )

    @api.depends("item_ids.state")
    def _compute_state(self):
        for escalation in self:
            active = any(
                state in ("todo", "requested", "done")
                for state in escalation.item_ids.mapped("state")
            )
            escalation.state = "open" if active else "closed"

    @api.depends("item_ids.withdrawal_overdue")
    def _compute_withdrawal_overdue(self):
        for escalation in self:
            escalation.withdrawal_overdue = any(escalation.item_ids.mapped("withdrawal_overdue"))

    def _search_withdrawal_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the withdrawal deadline."))
        items = self.env["cobranca.escalation.item"]._overdue_withdrawals()
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", items.escalation_id.ids)]

    def write(self, vals):
        if not self.env.su:
            self.check_access("write")
            protected = {
                name
                for name in set(vals) - EDITABLE_FIELDS
                if not name.startswith(("message_", "activity_"))
            }
            if protected:
                raise UserError(
                    self.env._(
                        "An escalation's customer, kind and items are the régua's: change "
                        "its responsible, documents and notes, and its items with their "
                        "buttons."
                    )
                )
        return super().write(vals)

    def action_request(self):
        self.item_ids.filtered(lambda item: item.state == "todo").action_request()

    def action_done(self):
        self.item_ids.filtered(lambda item: item.state in ("todo", "requested")).action_done()


class CobrancaEscalationItem(models.Model):
    """One receivable item (parcela) under an escalation."""

    _name = "cobranca.escalation.item"
    _description = "Collection Escalation Item"
    _order = "escalation_id, date_maturity, id"
    _check_company_auto = True

    escalation_id = fields.Many2one(
        "cobranca.escalation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="escalation_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(
        related="escalation_id.partner_id", store=True, index=True, string="Customer"
    )
    kind = fields.Selection(related="escalation_id.kind", store=True)
    line_id = fields.Many2one("cobranca.line", string="Dunning Line", readonly=True)
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, readonly=True, index=True
    )
    move_id = fields.Many2one(related="move_line_id.move_id", store=True, string="Invoice")
    date_maturity = fields.Date(related="move_line_id.date_maturity", store=True)
    currency_id = fields.Many2one(related="escalation_id.currency_id")
    amount = fields.Monetary(
        readonly=True, help="Open amount when the item was escalated, company currency."
    )
    state = fields.Selection(ITEM_STATES, default="todo", required=True, readonly=True, index=True)
    date_requested = fields.Date(readonly=True)
    date_done = fields.Date(readonly=True)
    date_paid = fields.Date(readonly=True, help="When the item was found paid.")
    withdrawal_deadline = fields.Date(
        readonly=True,
        help="Date by which the withdrawal must be requested, some business days after "
        "the payment: the removal of a negativação (STJ Súmula 548), the carta de "
        "anuência of a protesto.",
    )
    date_withdrawn = fields.Date(readonly=True)
    withdrawal_overdue = fields.Boolean(compute="_compute_withdrawal_overdue")

    _sql_constraints = [
        (
            "escalation_move_line_unique",
            "UNIQUE(escalation_id, move_line_id)",
            "An item is escalated once per escalation.",
        ),
    ]

    @api.depends("state", "withdrawal_deadline")
    @api.depends_context("tz")
    def _compute_withdrawal_overdue(self):
        today = fields.Date.context_today(self)
        for item in self:
            item.withdrawal_overdue = bool(
                item.state == "done"
                and item.withdrawal_deadline
                and item.withdrawal_deadline < today
            )

    @api.model
    def _overdue_withdrawals(self):
        return self.search(
            [
                ("state", "=", "done"),
                ("withdrawal_deadline", "<", fields.Date.context_today(self)),
            ]
        )

    def _withdrawal_summary(self, paid_on):
        self.ensure_one()
        values = {"item": self.move_id.name, "date": fields.Date.to_string(paid_on)}
        if self.kind == "negativacao":
            return self.env._(
                "Ask for the removal of the negativação of %(item)s (paid on %(date)s)", **values
            )
        if self.kind == "protesto":
            return self.env._(
                "Give the carta de anuência of the protesto of %(item)s (paid on %(date)s)",
                **values,
            )
        return self.env._("Close the lawsuit of %(item)s (paid on %(date)s)", **values)

    def _is_paid(self):
        self.ensure_one()
        item = self.move_line_id
        return item.reconciled or item.move_id.payment_state in CLOSED_PAYMENT_STATES

    def _payment_date(self):
        self.ensure_one()
        item = self.move_line_id
        dates = item.matched_credit_ids.mapped("max_date")
        return max(dates) if dates else fields.Date.context_today(self)

    def write(self, vals):
        if not self.env.su:
            self.check_access("write")
            raise UserError(
                self.env._(
                    "The items of an escalation change with their buttons (requested, done, "
                    "withdrawn, cancelled), which date them."
                )
            )
        return super().write(vals)

    def _system(self):
        """The items as the system, once the user's right to change them was
        checked (their states and dates are written by the buttons only)."""
        self.check_access("write")
        return self.sudo()

    def action_request(self):
        for item in self._system().filtered(lambda item: item.state == "todo"):
            item.write({"state": "requested", "date_requested": fields.Date.context_today(item)})

    def action_done(self):
        for item in self._system().filtered(lambda item: item.state in ("todo", "requested")):
            item.write(
                {
                    "state": "done",
                    "date_done": fields.Date.context_today(item),
                    "date_requested": item.date_requested or fields.Date.context_today(item),
                }
            )

    def action_withdraw(self):
        """The withdrawal (baixa) was requested: the item leaves the escalation."""
        for item in self._system().filtered(lambda item: item.state in ("requested", "done")):
            item.write({"state": "withdrawn", "date_withdrawn": fields.Date.context_today(item)})
        self._close_withdrawal_tasks()

    def action_cancel(self):
        self._system().filtered(lambda item: item.state in ("todo", "requested")).write(
            {"state": "cancelled"}
        )

    def _close_withdrawal_tasks(self):
        """Complete the withdrawal tasks of escalations with nothing left to withdraw."""
        withdrawal_type = self.env.ref("cobranca_addon.mail_activity_type_withdrawal")
        for escalation in self.escalation_id:
            waiting = escalation.item_ids.filtered(
                lambda item: item.state == "done" and item.date_paid
            )
            if not waiting:
                escalation.activity_ids.filtered(
                    lambda activity: activity.activity_type_id == withdrawal_type
                ).action_feedback(feedback=self.env._("Withdrawal requested."))

    # ------------------------------------------------------------------
    # Payments of escalated items (called by the daily run)
    # ------------------------------------------------------------------

    @api.model
    def _process_payments(self, companies):
        """Items paid since the last run: not yet requested ones are cancelled; listed
        or protested ones get a withdrawal deadline (business days after the payment,
        STJ Súmula 548) and a task for the responsible."""
        items = self.search(
            [
                ("company_id", "in", companies.ids),
                ("state", "in", ("todo", "requested", "done")),
                ("date_paid", "=", False),
            ]
        )
        items.move_line_id.fetch(["reconciled", "move_id"])
        paid = items.filtered(lambda item: item._is_paid())
        if not paid:
            return paid
        paid.filtered(lambda item: item.state == "todo").write(
            {"state": "cancelled", "date_paid": fields.Date.context_today(self)}
        )
        to_withdraw = paid.filtered(lambda item: item.state in ("requested", "done"))
        withdrawal_type = self.env.ref("cobranca_addon.mail_activity_type_withdrawal")
        for item in to_withdraw:
            paid_on = item._payment_date()
            deadline = item.company_id._cobranca_add_business_days(
                paid_on, item.company_id.cobranca_withdrawal_days
            )
            item.write({"state": "done", "date_paid": paid_on, "withdrawal_deadline": deadline})
            escalation = item.escalation_id
            escalation.activity_schedule(
                activity_type_id=withdrawal_type.id,
                date_deadline=deadline,
                summary=item._withdrawal_summary(paid_on),
                user_id=(escalation.user_id or self.env.ref("base.user_admin")).id,
            )
        return paid

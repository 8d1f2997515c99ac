from collections import defaultdict

from odoo import api, fields, models

from .constants import CLOSED_PAYMENT_STATES, NO_CHATTER_NOISE


class CobrancaLine(models.Model):
    """One receivable item (a parcela) reaching one level of the régua.

    Lines are created set-based by :meth:`cobranca.run._create_lines` as
    ``pending`` and dispatched by :meth:`_dispatch`, which groups them into one
    message per customer and channel.
    """

    _name = "cobranca.line"
    _description = "Dunning Line"
    _order = "date desc, partner_id, date_maturity, id"
    _check_company_auto = True

    move_line_id = fields.Many2one(
        "account.move.line",
        string="Journal Item",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    policy_id = fields.Many2one("cobranca.policy", required=True, readonly=True, index=True)
    level_id = fields.Many2one(
        "cobranca.level", required=True, readonly=True, index=True, ondelete="restrict"
    )
    run_id = fields.Many2one("cobranca.run", readonly=True, index=True, ondelete="set null")
    date = fields.Date(required=True, readonly=True, index=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("sent", "Sent"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        help="Pending: selected by a run, waiting to be dispatched.\n"
        "Sent: carried by a message or a task.\n"
        "Cancelled: the item was paid, excluded or closed before dispatch.",
    )
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_late = fields.Integer(
        readonly=True, help="Days from the due date to the run date (negative before it)."
    )
    amount_residual = fields.Monetary(
        string="Open Amount (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
    )
    amount_residual_currency = fields.Monetary(
        string="Open Amount", currency_field="currency_id", readonly=True
    )
    message_ids = fields.Many2many(
        "cobranca.message",
        "cobranca_line_message_rel",
        "line_id",
        "message_id",
        string="Messages",
        readonly=True,
    )
    note = fields.Char(
        readonly=True,
        help="Why the line was carried by another channel or cancelled.",
    )
    payment_state = fields.Selection(related="move_id.payment_state", string="Payment Status")
    instalment = fields.Char(
        compute="_compute_instalment",
        help="Which instalment (parcela) of the invoice, e.g. 2/3.",
    )

    _sql_constraints = [
        (
            "move_line_level_unique",
            "UNIQUE(move_line_id, level_id)",
            "A journal item reaches each level once.",
        ),
    ]

    @api.depends("move_id.name", "level_id.name", "date_maturity")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.move_id.name} – {line.level_id.display_name}"

    @api.depends("move_line_id")
    def _compute_instalment(self):
        for line in self:
            line.instalment = (
                line.move_line_id._cobranca_instalment_label() if line.move_line_id else ""
            )

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _item_closed_reason(self):
        """Why the item of this line must not be reminded now, or ``False``.

        Reads what the batch prefetched: no query per line.
        """
        self.ensure_one()
        item = self.move_line_id
        move = self.move_id
        if move.state != "posted":
            return self.env._("The invoice is no longer posted.")
        if move.payment_state in CLOSED_PAYMENT_STATES:
            label = dict(move._fields["payment_state"]._description_selection(self.env))
            return self.env._(
                "Payment status of the invoice: %(state)s.", state=label[move.payment_state]
            )
        if (
            item.reconciled
            or item.currency_id.compare_amounts(item.amount_residual_currency, 0) <= 0
        ):
            return self.env._("The instalment was paid.")
        if move.cobranca_excluded:
            return self.env._(
                "The invoice was excluded from cobrança: %(reason)s",
                reason=move.cobranca_exclusion_reason or "-",
            )
        if not self.partner_id.active:
            return self.env._("The customer is archived.")
        return False

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------

    def _dispatch(self):
        """Carry pending lines: one message per customer and channel.

        Re-checks every item first (it may have been paid since the lines were
        created); lines of closed items are cancelled with the reason.
        """
        lines = self.filtered(lambda line: line.state == "pending")
        if not lines:
            return self.env["cobranca.message"]
        # prefetch what the checks read, for the whole batch at once
        lines.move_line_id.fetch(["amount_residual_currency", "reconciled", "currency_id"])
        lines.move_id.fetch(
            ["state", "payment_state", "cobranca_excluded", "cobranca_exclusion_reason"]
        )
        lines.partner_id.fetch(["active", "email", "type", "lang"])
        lines.level_id.fetch(["days", "channel_email", "channel_phone", "mail_template_id"])

        cancelled = defaultdict(lambda: self.browse())
        for line in lines:
            reason = line._item_closed_reason()
            if reason:
                cancelled[reason] |= line
        for reason, closed in cancelled.items():
            closed.write({"state": "cancelled", "note": reason})
        to_send = lines.filtered(lambda line: line.state == "pending")
        if not to_send:
            return self.env["cobranca.message"]

        Message = self.env["cobranca.message"]
        open_items = Message._open_items_by_partner(to_send.partner_id, to_send.company_id)
        values_list, notes = [], defaultdict(lambda: self.browse())
        groups = defaultdict(lambda: self.browse())
        for line in to_send:
            groups[(line.company_id, line.partner_id)] |= line
        for (company, partner), partner_lines in groups.items():
            plan = Message._plan_channels(partner, partner_lines)
            for channel, (channel_lines, recipient, note) in plan.items():
                if note:
                    notes[note] |= channel_lines
                values_list.append(
                    Message._prepare_message_values(
                        company,
                        partner,
                        channel,
                        channel_lines,
                        recipient,
                        open_items.get((company.id, partner.id), self.env["account.move.line"]),
                        note,
                    )
                )
        messages = Message.with_context(**NO_CHATTER_NOISE).create(values_list)
        for note, noted in notes.items():
            noted.write({"note": note})
        to_send.write({"state": "sent"})
        messages._send()
        return messages

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date
from odoo.tools.sql import create_index

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
            ("waiting", "Waiting"),
            ("sent", "Sent"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        help="Pending: selected by a run, waiting to be dispatched.\n"
        "Waiting: a condition is not met yet (weekly contact limit, prior notice of "
        "a negativação); the next run tries again.\n"
        "Sent: carried by a message, a task or an escalation.\n"
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
    escalation_item_ids = fields.One2many(
        "cobranca.escalation.item", "line_id", string="Escalation Items", readonly=True
    )
    delivery_status = fields.Char(
        compute="_compute_delivery_status",
        help="How the messages that carried the line stand (queued, sent, delivered...).",
    )
    thanks_date = fields.Date(
        readonly=True,
        copy=False,
        help="When the item was found paid and the customer thanked (if the policy thanks).",
    )
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

    def init(self):
        # The run's workers claim customers with pending lines in partner order
        # (_claim_partners), count the customers left and lock a batch's lines,
        # on every batch. The pending lines of the day are a small part of the
        # table, which keeps every line ever sent: this partial index keeps
        # those queries proportional to the pending lines, in partner order,
        # without sorting them. EXPLAIN ANALYZE at 10,000 customers / 18,428
        # pending lines (docs/readme-issue8-performance.md): the claim went from
        # a BitmapAnd of the state and company indexes + sort (33 ms) to an
        # index-only scan (11 ms).
        create_index(
            self.env.cr,
            "cobranca_line_pending_partner_index",
            self._table,
            ["partner_id", "company_id"],
            where="state = 'pending'",
        )

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

    @api.depends("message_ids.delivery_status")
    def _compute_delivery_status(self):
        labels = dict(
            self.env["cobranca.message"]._fields["channel"]._description_selection(self.env)
        )
        for line in self:
            line.delivery_status = "; ".join(
                f"{labels[message.channel]}: {message.delivery_status}"
                for message in line.message_ids.sorted("id")
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
        if move._cobranca_paused():
            return self.env._(
                "A promise to pay pauses the régua until %(date)s.",
                date=format_date(self.env, move.cobranca_paused_until),
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
            [
                "state",
                "payment_state",
                "cobranca_excluded",
                "cobranca_exclusion_reason",
                "cobranca_paused_until",
            ]
        )
        lines.partner_id.fetch(["active", "email", "type", "lang"])
        lines.level_id.fetch(["days", "escalation", "mail_template_id"])

        # ids gathered in lists, browsed once: a recordset grown with |= in a
        # loop costs the square of its size (a customer may have thousands)
        cancelled = defaultdict(list)
        for line in lines:
            reason = line._item_closed_reason()
            if reason:
                cancelled[reason].append(line.id)
        for reason, closed_ids in cancelled.items():
            self.browse(closed_ids).write({"state": "cancelled", "note": reason})
        to_send = lines.filtered(lambda line: line.state == "pending")
        if not to_send:
            return self.env["cobranca.message"]

        escalated = to_send.filtered(lambda line: line.level_id.escalation)
        escalated._escalate()
        to_send = to_send.filtered(
            lambda line: line.state == "pending" and line.level_id._cobranca_channels()
        )
        if not to_send:
            return self.env["cobranca.message"]

        Message = self.env["cobranca.message"]
        open_items = Message._open_items_by_partner(to_send.partner_id, to_send.company_id)
        week_counts = to_send._messages_this_week()
        values_list, notes, waiting = [], defaultdict(lambda: self.browse()), self.browse()
        groups = defaultdict(list)
        for line in to_send:
            groups[(line.company_id, line.partner_id)].append(line.id)
        for (company, partner), partner_line_ids in groups.items():
            partner_lines = self.browse(partner_line_ids)
            plan = Message._plan_channels(partner, partner_lines)
            cap = company.cobranca_weekly_cap
            if cap and week_counts.get((company.id, partner.id), 0) + len(plan) > cap:
                waiting |= partner_lines
                continue
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
        if waiting:
            waiting.write(
                {
                    "state": "waiting",
                    "note": self.env._(
                        "Weekly contact limit reached: the régua waits for the next run."
                    ),
                }
            )
        messages = Message.with_context(**NO_CHATTER_NOISE).create(values_list)
        for note, noted in notes.items():
            noted.write({"note": note})
        (to_send - waiting).write({"state": "sent"})
        messages._send()
        return messages

    def _messages_this_week(self):
        """``{(company id, customer id): reminders in the seven days up to the run}``,
        all channels, for the weekly contact limit. One query."""
        if not self:
            return {}
        day = max(self.mapped("date"))
        groups = self.env["cobranca.message"]._read_group(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                ("kind", "=", "reminder"),
                ("state", "!=", "cancelled"),
                ("date", ">", day - timedelta(days=7)),
                ("date", "<=", day),
            ],
            ["company_id", "partner_id"],
            ["__count"],
        )
        return {(company.id, partner.id): count for company, partner, count in groups}

    # ------------------------------------------------------------------
    # Escalations: protesto, negativação, lawsuit
    # ------------------------------------------------------------------

    def _escalate(self):
        """Put the lines of escalation levels under their customer's escalation.

        A negativação needs the written prior notice (CDC art. 43 §2): a message of
        a level marked as notice, delivered for that item at least the company's
        notice days before. Without it the line waits and the next run tries again.
        """
        if not self:
            return
        negativacao = self.filtered(lambda line: line.level_id.escalation == "negativacao")
        noticed = negativacao._items_with_notice()
        lacking = negativacao.filtered(lambda line: line.move_line_id not in noticed)
        if lacking:
            for line in lacking:
                line.write(
                    {
                        "state": "waiting",
                        "note": self.env._(
                            "Negativação waits for the written prior notice (CDC art. 43 §2), "
                            "delivered at least %(days)s days before.",
                            days=line.company_id.cobranca_notice_days,
                        ),
                    }
                )
        ready = self - lacking
        Escalation = self.env["cobranca.escalation"]
        groups = defaultdict(lambda: self.browse())
        keys = defaultdict(list)  # ids, browsed once (|= in a loop is quadratic)
        for line in ready:
            keys[(line.company_id, line.partner_id, line.level_id.escalation)].append(line.id)
        groups.update({key: self.browse(ids) for key, ids in keys.items()})
        open_escalations = {
            (escalation.company_id, escalation.partner_id, escalation.kind): escalation
            for escalation in Escalation.search(
                [
                    ("partner_id", "in", ready.partner_id.ids),
                    ("company_id", "in", ready.company_id.ids),
                    ("state", "=", "open"),
                ]
            )
        }
        Message = self.env["cobranca.message"]
        for (company, partner, kind), lines in groups.items():
            escalation = open_escalations.get((company, partner, kind))
            level = lines.level_id.sorted("days")[-1]
            if not escalation:
                escalation = Escalation.with_context(**NO_CHATTER_NOISE).create(
                    {
                        "company_id": company.id,
                        "partner_id": partner.id,
                        "kind": kind,
                        "level_id": level.id,
                        "date": max(lines.mapped("date")),
                        "user_id": Message._collector_for(company, partner, level.policy_id).id,
                    }
                )
                escalation.activity_schedule(
                    "cobranca_addon.mail_activity_type_escalation",
                    date_deadline=escalation.date,
                    summary=self.env._("Carry out: %(escalation)s", escalation=escalation.name),
                    user_id=escalation.user_id.id,
                )
            existing = escalation.item_ids.move_line_id
            self.env["cobranca.escalation.item"].create(
                [
                    {
                        "escalation_id": escalation.id,
                        "line_id": line.id,
                        "move_line_id": line.move_line_id.id,
                        "amount": line.amount_residual,
                    }
                    for line in lines
                    if line.move_line_id not in existing
                ]
            )
        ready.write({"state": "sent"})

    def _items_with_notice(self):
        """The items of these lines whose prior written notice was delivered at least
        the company's notice days before each line's date. One query."""
        if not self:
            return self.env["account.move.line"]
        notices = self.search(
            [
                ("move_line_id", "in", self.move_line_id.ids),
                ("level_id.is_notice", "=", True),
                ("state", "=", "sent"),
            ]
        )
        delivered = defaultdict(list)
        for notice in notices:
            if any(message.state in ("sent", "done") for message in notice.message_ids):
                delivered[notice.move_line_id].append(notice.date)
        item_ids = []
        for line in self:
            limit = line.date - timedelta(days=line.company_id.cobranca_notice_days)
            if any(day <= limit for day in delivered.get(line.move_line_id, [])):
                item_ids.append(line.move_line_id.id)
        return self.env["account.move.line"].browse(item_ids)

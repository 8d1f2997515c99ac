from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date

from ..tools import entrada

CHANNELS = [
    ("phone", "Phone"),
    ("whatsapp", "WhatsApp"),
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("in_person", "In person"),
    ("letter", "Letter"),
    ("portal", "Customer portal"),
    ("other", "Other"),
]

OUTCOMES = [
    ("promise", "Promise to pay"),
    ("agreement", "Agreement"),
    ("refusal", "Refusal"),
    ("no_answer", "No answer"),
    ("wrong_contact", "Wrong contact"),
    ("dispute", "Dispute"),
]

STATES = [
    ("logged", "Logged"),
    ("open", "Open"),
    ("kept", "Kept"),
    ("broken", "Broken"),
    ("resolved", "Resolved"),
]

#: What a collector may still change once a contact is logged.
EDITABLE_FIELDS = {"note"}
#: What the module itself changes later (promise and dispute follow-up).
FOLLOW_UP_FIELDS = {"state", "date_closed", "amount_paid", "agreement_id"}
#: What only the module sets, whatever a user sends (values, or ``default_*`` keys
#: of the context) when logging a contact: the state of a promise or dispute and
#: the pause of the régua follow from the outcome, never from a typed value.
MODULE_VALUES = {
    "state": "logged",
    "pause_until": False,
    "amount_open_at_promise": 0.0,
    "amount_paid": 0.0,
    "date_closed": False,
    "agreement_id": False,
}
#: The farthest a promise to pay may be, in days after the contact: beyond, it is
#: an agreement (acordo), with instalments.
MAX_PROMISE_DAYS = 366


class CobrancaNegotiation(models.Model):
    """One contact with a customer about their debts: who, when, by which channel,
    what came of it. A promise to pay pauses the régua for its items until the
    promised date plus a grace period; a dispute excludes them until resolved.

    The log is the collector's memory: anyone sees the whole history before the
    next call. Entries are not rewritten: only the notes may be completed.
    """

    _name = "cobranca.negotiation"
    _description = "Collection Contact"
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        domain="[('parent_id', '=', False)]",
    )
    move_ids = fields.Many2many(
        "account.move",
        "cobranca_negotiation_move_rel",
        "negotiation_id",
        "move_id",
        string="Items",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('state', '=', 'posted'),"
        " ('move_type', 'in', ('out_invoice', 'entry'))]",
        help="The invoices (or agreements) the contact was about. A promise or a "
        "dispute without items concerns all of the customer's open items.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        required=True,
        default=lambda self: self.env.user,
        index=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    outcome = fields.Selection(OUTCOMES, required=True, index=True)
    promise_date = fields.Date(string="Promised Date")
    promise_amount = fields.Monetary(string="Promised Amount")
    currency_id = fields.Many2one(related="company_id.currency_id")
    note = fields.Text(string="Notes")
    state = fields.Selection(
        STATES,
        default="logged",
        required=True,
        readonly=True,
        index=True,
        help="Open: a promise not yet due, or a dispute not yet resolved.\n"
        "Kept / Broken: what became of a promise.\n"
        "Resolved: the dispute was settled and the items are reminded again.",
    )
    pause_until = fields.Date(
        string="Régua Paused Until",
        readonly=True,
        help="The promised date plus the grace period of the company.",
    )
    amount_open_at_promise = fields.Monetary(
        string="Open When Promised",
        readonly=True,
        help="What the items still owed when the promise was made.",
    )
    amount_paid = fields.Monetary(
        readonly=True,
        help="Paid on the items between the promise and its deadline.",
    )
    date_closed = fields.Date(string="Closed On", readonly=True)
    message_id = fields.Many2one(
        "cobranca.message",
        string="From Task",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        help="The collector's task (call, WhatsApp) this contact completed.",
    )
    agreement_id = fields.Many2one(
        "cobranca.agreement",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
    )

    @api.depends("outcome", "partner_id.name", "date")
    def _compute_display_name(self):
        labels = dict(self._fields["outcome"]._description_selection(self.env))
        for negotiation in self:
            negotiation.display_name = " – ".join(
                part
                for part in (
                    labels.get(negotiation.outcome),
                    negotiation.partner_id.name,
                    negotiation.date and format_date(self.env, negotiation.date.date()),
                )
                if part
            )

    @api.constrains("outcome", "promise_date", "promise_amount")
    def _check_promise(self):
        for negotiation in self:
            if not entrada.is_amount(negotiation.promise_amount or 0.0):
                raise ValidationError(
                    self.env._("The promised amount %(amount)s is not possible.",
                               amount=negotiation.promise_amount)
                )  # fmt: skip
        for negotiation in self.filtered(lambda n: n.outcome == "promise"):
            if not negotiation.promise_date:
                raise ValidationError(self.env._("A promise to pay needs the promised date."))
            if negotiation.currency_id.compare_amounts(negotiation.promise_amount, 0) <= 0:
                raise ValidationError(self.env._("A promise to pay needs the promised amount."))

    @api.constrains("note")
    def _check_note(self):
        for negotiation in self:
            if not entrada.is_short_text(negotiation.note, entrada.MAX_NOTE_LENGTH):
                raise ValidationError(
                    self.env._(
                        "The notes of a contact have at most %(limit)s characters.",
                        limit=entrada.MAX_NOTE_LENGTH,
                    )
                )

    @api.constrains("message_id", "partner_id")
    def _check_task_of_the_customer(self):
        for negotiation in self.filtered("message_id"):
            if negotiation.message_id.partner_id != negotiation.partner_id:
                raise ValidationError(
                    self.env._(
                        "The task %(task)s is not about %(customer)s.",
                        task=negotiation.message_id.display_name,
                        customer=negotiation.partner_id.name,
                    )
                )

    @api.constrains("partner_id", "move_ids")
    def _check_items_of_the_customer(self):
        for negotiation in self:
            others = negotiation.move_ids.filtered(
                lambda move, n=negotiation: move.commercial_partner_id != n.partner_id
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "%(items)s are not items of %(customer)s.",
                        items=", ".join(others.mapped("name")),
                        customer=negotiation.partner_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        Partner = self.env["res.partner"]
        for vals in vals_list:
            self._check_typed_amount(vals)
            if vals.get("partner_id"):
                vals["partner_id"] = Partner.browse(vals["partner_id"]).commercial_partner_id.id
            if not self.env.su:
                vals.update(MODULE_VALUES)
        negotiations = super().create(vals_list)
        negotiations._check_promise_date()
        negotiations._apply_outcome()
        activity_id = self.env.context.get("cobranca_activity_id")
        if activity_id:
            negotiations._complete_activity(activity_id)
        return negotiations

    @api.model
    def _check_typed_amount(self, vals):
        """Refuse, before it reaches the database, a promised amount that is not a
        number, infinite, or of a trillion or more (``_check_promise`` says the rest)."""
        amount = vals.get("promise_amount")
        if amount and not entrada.is_amount(amount, allow_negative=True):
            raise ValidationError(
                self.env._("The promised amount %(amount)s is not possible.", amount=amount)
            )

    def write(self, vals):
        changed = set(vals)
        if not self.env.su:
            self.check_access("write")
        if not self.env.su and changed - EDITABLE_FIELDS:
            raise UserError(
                self.env._(
                    "A logged contact is a record of what happened: only its notes may "
                    "be completed. Log a new contact instead."
                )
            )
        if self.env.su and changed - EDITABLE_FIELDS - FOLLOW_UP_FIELDS:
            raise UserError(self.env._("A logged contact cannot be rewritten."))
        return super().write(vals)

    def _write_unguarded(self, vals):
        """Set what the module itself fills in when a contact is logged."""
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_managers(self):
        if not self.env.su and not self.env.user.has_group("cobranca_addon.group_cobranca_manager"):
            raise AccessError(self.env._("Only Cobrança managers may delete a logged contact."))
        if any(n.state == "open" for n in self):
            raise UserError(
                self.env._("Close the open promise or dispute before deleting the contact.")
            )

    # ------------------------------------------------------------------
    # What an outcome does
    # ------------------------------------------------------------------

    def _check_promise_date(self):
        """A promise is for a day after the contact (the day of the contact, when
        it is logged afterwards)."""
        for negotiation in self.filtered(lambda n: n.outcome == "promise"):
            tz = negotiation.company_id._cobranca_timezone()
            contact_day = pytz.utc.localize(negotiation.date).astimezone(tz).date()
            if negotiation.promise_date < contact_day:
                raise ValidationError(
                    self.env._(
                        "The promised date %(date)s is past.",
                        date=format_date(self.env, negotiation.promise_date),
                    )
                )
            if (negotiation.promise_date - contact_day).days > MAX_PROMISE_DAYS:
                raise ValidationError(
                    self.env._(
                        "A promise to pay is for the coming %(days)s days at most: make an "
                        "agreement (with instalments) for a longer term.",
                        days=MAX_PROMISE_DAYS,
                    )
                )

    def _default_items(self):
        """The customer's open items that may be reminded, for a promise or a
        dispute logged without items."""
        self.ensure_one()
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id.commercial_partner_id", "=", self.partner_id.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", ">", 0),
            ]
        )
        return lines.move_id.filtered(lambda move: move._cobranca_can_be_reminded())

    def _apply_outcome(self):
        system = self.sudo()
        for negotiation in system:
            if negotiation.outcome in ("promise", "dispute") and not negotiation.move_ids:
                items = negotiation._default_items()
                if not items:
                    raise UserError(
                        self.env._(
                            "%(customer)s has no open item to promise or to dispute.",
                            customer=negotiation.partner_id.name,
                        )
                    )
                # set once, at creation: not a rewrite of the record
                negotiation._write_unguarded({"move_ids": [(6, 0, items.ids)]})
        promises = system.filtered(lambda n: n.outcome == "promise")
        for promise in promises:
            grace = promise.company_id.cobranca_promise_grace_days
            promise._write_unguarded(
                {
                    "state": "open",
                    "pause_until": promise.promise_date + timedelta(days=grace),
                    "amount_open_at_promise": promise._open_amount_of_items().get(promise.id, 0.0),
                }
            )
        disputes = system.filtered(lambda n: n.outcome == "dispute")
        for dispute in disputes:
            dispute._write_unguarded({"state": "open"})
            reason = self.env._("Dispute: %(note)s", note=dispute.note or dispute.display_name)
            dispute.move_ids.filtered(lambda move: not move.cobranca_excluded)._cobranca_exclude(
                entrada.shorten(reason, entrada.MAX_REASON_LENGTH)
            )
        # what was queued for the paused items does not leave
        paused = promises.move_ids
        if paused:
            system.env["cobranca.message"]._cancel_obsolete(moves=paused)
        self._log_on_chatter()

    def _open_amount_of_items(self):
        """``{negotiation id: open receivable amount of its items}``, one query."""
        if not self.ids:
            return {}
        self.env["account.move.line"].flush_model(
            ["amount_residual", "move_id", "account_id", "parent_state"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT rel.negotiation_id, SUM(aml.amount_residual)
                  FROM cobranca_negotiation_move_rel rel
                  JOIN account_move_line aml ON aml.move_id = rel.move_id
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE rel.negotiation_id = ANY(%s)
                   AND account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                 GROUP BY rel.negotiation_id
                """,
                self.ids,
            )
        )
        return {row[0]: max(row[1] or 0.0, 0.0) for row in self.env.cr.fetchall()}

    def _summary(self):
        """One line saying what the contact was and gave."""
        self.ensure_one()
        outcome = dict(self._fields["outcome"]._description_selection(self.env))[self.outcome]
        channel = dict(self._fields["channel"]._description_selection(self.env))[self.channel]
        text = self.env._(
            "%(outcome)s (%(channel)s, %(user)s)",
            outcome=outcome,
            channel=channel,
            user=self.user_id.name,
        )
        if self.outcome == "promise":
            text += " – " + self.env._(
                "promised %(amount)s by %(date)s",
                amount=format_amount(self.env, self.promise_amount, self.currency_id),
                date=format_date(self.env, self.promise_date),
            )
        return text

    def _log_on_chatter(self):
        for negotiation in self.sudo():
            body = Markup("<b>%s</b>") % negotiation._summary()
            if negotiation.note:
                body += Markup("<br/>") + negotiation.note
            negotiation.partner_id._message_log(body=body)
            for move in negotiation.move_ids:
                move._message_log(body=body)

    def _complete_activity(self, activity_id):
        """The collector's task the contact was logged from is done, with the
        outcome as its feedback. Only a collection task of the contact's customer
        (the id comes from the dialog's context, which the browser sends)."""
        if not isinstance(activity_id, int) or isinstance(activity_id, bool):
            raise UserError(self.env._("This is not a collection task."))
        activity = self.env["mail.activity"].browse(activity_id).exists()
        if not activity:
            return
        task = activity.sudo().cobranca_message_id
        if (
            not task
            or task.partner_id not in self.partner_id
            or task.company_id not in self.company_id
        ):
            raise UserError(self.env._("This task is not a collection task of this customer."))
        activity.action_feedback(feedback="\n".join(n._summary() for n in self))

    # ------------------------------------------------------------------
    # Promises and disputes followed up
    # ------------------------------------------------------------------

    @api.model
    def _cron_follow_up(self):
        """Scheduled action (daily): what became of the open promises."""
        for company in self.env["res.company"].search([]):
            self._follow_up_promises(company)

    @api.model
    def _follow_up_promises(self, company, today=None):
        """Mark the open promises of ``company`` kept (the promised amount was paid
        on their items, or nothing is left to pay) or broken (the deadline passed
        without it). A broken promise gives its items back to the régua.

        :return: ``(kept, broken)``
        """
        today = today or company._cobranca_local_now().date()
        promises = self.sudo().search(
            [("company_id", "=", company.id), ("outcome", "=", "promise"), ("state", "=", "open")]
        )
        if not promises:
            return self.browse(), self.browse()
        open_now = promises._open_amount_of_items()
        kept = broken = promises.browse()
        currency = company.currency_id
        for promise in promises:
            remaining = open_now.get(promise.id, 0.0)
            paid = currency.round(max(promise.amount_open_at_promise - remaining, 0.0))
            if (
                currency.is_zero(remaining)
                or currency.compare_amounts(paid, promise.promise_amount) >= 0
            ):
                kept |= promise
            elif promise.pause_until < today:
                broken |= promise
            else:
                continue
            promise.write({"amount_paid": paid, "date_closed": today})
        kept.write({"state": "kept"})
        broken.write({"state": "broken"})
        for promise in kept | broken:
            body = (
                self.env._("Promise to pay kept: %(summary)s", summary=promise._summary())
                if promise.state == "kept"
                else self.env._(
                    "Promise to pay broken: %(summary)s. The régua resumes.",
                    summary=promise._summary(),
                )
            )
            promise.partner_id._message_log(body=body)
            for move in promise.move_ids:
                move._message_log(body=body)
        return kept, broken

    def action_resolve_dispute(self):
        """The dispute is settled: its items are reminded again."""
        self.check_access("write")
        disputes = self.filtered(lambda n: n.outcome == "dispute" and n.state == "open")
        if not disputes:
            raise UserError(self.env._("Only open disputes can be resolved."))
        for dispute in disputes:
            moves = dispute.move_ids.filtered("cobranca_excluded")
            moves.action_cobranca_include()
            dispute.sudo().write(
                {"state": "resolved", "date_closed": fields.Date.context_today(self)}
            )
            body = self.env._(
                "Dispute resolved by %(user)s: the items are reminded again.",
                user=self.env.user.name,
            )
            dispute.partner_id._message_log(body=body)
            for move in moves:
                move._message_log(body=body)

    # ------------------------------------------------------------------
    # Logging a contact in one click (invoice, customer, items, task)
    # ------------------------------------------------------------------

    @api.model
    def _action_log(self, partner, moves=None, message=None, activity=None, channel=None):
        """The dialog that logs a contact with ``partner`` about ``moves``."""
        context = {
            "default_partner_id": partner.commercial_partner_id.id,
            "default_move_ids": [(6, 0, (moves or self.env["account.move"]).ids)],
            "default_company_id": (moves[:1].company_id if moves else self.env.company).id,
        }
        if channel:
            context["default_channel"] = channel
        if message:
            context["default_message_id"] = message.id
        if activity:
            context["cobranca_activity_id"] = activity.id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a contact"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(self.env.ref("cobranca_addon.cobranca_negotiation_view_form").id, "form")],
            "target": "new",
            "context": context,
        }

    # ------------------------------------------------------------------
    # Figures for the reports
    # ------------------------------------------------------------------

    @api.model
    def _figures(self, companies, date_from=None, date_to=None):
        """Promises made, kept and broken, and what they recovered, in the period
        (by the date of the contact), per company: ``{company: {...}}``."""
        domain = [("company_id", "in", companies.ids), ("outcome", "=", "promise")]
        if date_from:
            domain.append(("date", ">=", fields.Datetime.to_datetime(date_from)))
        if date_to:
            domain.append(("date", "<", fields.Datetime.to_datetime(date_to) + timedelta(days=1)))
        result = {
            company: {"made": 0, "kept": 0, "broken": 0, "open": 0, "amount_promised": 0.0,
                      "amount_paid": 0.0}
            for company in companies
        }  # fmt: skip
        for company, state, count, promised, paid in self._read_group(
            domain, ["company_id", "state"], ["__count", "promise_amount:sum", "amount_paid:sum"]
        ):
            figures = result[company]
            figures["made"] += count
            figures[state if state in ("kept", "broken", "open") else "open"] += count
            figures["amount_promised"] += promised
            figures["amount_paid"] += paid
        return result

from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from .cobranca_negotiation import CHANNELS

#: What a user chooses when making an agreement, besides its items.
TERMS_FIELDS = (
    "company_id",
    "partner_id",
    "date",
    "discount_amount",
    "instalment_count",
    "first_due",
    "periodicity",
    "down_payment",
    "monthly_rate",
)

STATES = [
    ("offered", "Offered"),
    ("active", "Active"),
    ("kept", "Kept"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]


class CobrancaAgreement(models.Model):
    """An agreement (acordo) with a customer over overdue items.

    Offered first (the customer may accept it online, or the collector confirms
    it once signed), it settles the original items against a journal entry whose
    instalments are new receivable lines with their own due dates, dunned by the
    régua like any other. The customer's balance changes only by the charges and
    the discount, booked to the accounts of the Settings. An instalment overdue
    beyond the tolerance breaks it; all paid, it is kept.
    """

    _name = "cobranca.agreement"
    _description = "Collection Agreement"
    _inherit = ["cobranca.agreement.terms", "portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/", index="trigram")
    state = fields.Selection(
        STATES, default="offered", required=True, readonly=True, tracking=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        default=lambda self: self.env.user,
        tracking=True,
        index=True,
    )
    channel = fields.Selection(CHANNELS, string="Negotiated By", default="phone")
    valid_until = fields.Date(
        string="Offer Valid Until",
        readonly=True,
        help="An offer not accepted by then expires (the charges grow every day).",
    )
    item_ids = fields.One2many("cobranca.agreement.item", "agreement_id", string="Items")
    instalment_ids = fields.One2many(
        "cobranca.agreement.instalment", "agreement_id", string="Instalments"
    )
    amount_principal = fields.Monetary(string="Principal", readonly=True)
    amount_correction = fields.Monetary(string="Monetary Correction", readonly=True)
    amount_fine = fields.Monetary(string="Late Fee", readonly=True)
    amount_interest = fields.Monetary(string="Default Interest", readonly=True)
    amount_charges = fields.Monetary(string="Charges", readonly=True)
    amount_updated = fields.Monetary(string="Updated Amount", readonly=True)
    amount_financed = fields.Monetary(string="Agreed Amount", readonly=True)
    amount_financing_interest = fields.Monetary(string="Instalment Interest", readonly=True)
    amount_total = fields.Monetary(string="Total of the Instalments", readonly=True)
    effective_annual_rate = fields.Float(
        string="Effective Annual Rate (%)", digits=(16, 2), readonly=True
    )
    amount_paid = fields.Monetary(compute="_compute_amount_paid", store=True)
    amount_residual = fields.Monetary(
        string="Left to Pay", compute="_compute_amount_paid", store=True
    )
    move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True, copy=False, index="btree_not_null"
    )
    negotiation_ids = fields.One2many("cobranca.negotiation", "agreement_id", string="Contacts")
    date_confirmed = fields.Date(string="Confirmed On", readonly=True, copy=False)
    date_closed = fields.Date(string="Closed On", readonly=True, copy=False)
    accepted_online = fields.Boolean(readonly=True, copy=False)
    accepted_date = fields.Datetime(string="Accepted On", readonly=True, copy=False)
    accepted_ip = fields.Char(string="Accepted from IP", readonly=True, copy=False)
    accepted_user_agent = fields.Char(string="Accepted with Browser", readonly=True, copy=False)
    close_reason = fields.Char(readonly=True, copy=False)

    @api.depends("instalment_ids.amount_residual", "instalment_ids.amount", "move_id")
    def _compute_amount_paid(self):
        for agreement in self:
            if not agreement.move_id:
                agreement.amount_paid = 0.0
                agreement.amount_residual = agreement.amount_total
                continue
            residual = sum(agreement.instalment_ids.mapped("amount_residual"))
            agreement.amount_residual = agreement.currency_id.round(residual)
            agreement.amount_paid = agreement.currency_id.round(agreement.amount_total - residual)

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for agreement in self:
            agreement.access_url = f"/my/cobranca/agreement/{agreement.id}"
        return result

    def _terms_lines(self):
        return self.item_ids.move_line_id

    def _document_values(self):
        """What the document and the portal show, from what was agreed (stored)."""
        self.ensure_one()
        instalments = self.instalment_ids.sorted("number")
        return {
            "items": [
                {
                    "name": item.move_id._cobranca_document_name(),
                    "instalment": item.move_line_id._cobranca_instalment_label(),
                    "date_maturity": item.date_maturity,
                    "days_late": item.days_late,
                    "principal": item.principal,
                    "correction": item.correction,
                    "fine": item.fine,
                    "interest": item.interest,
                    "updated": item.total + item.discount,
                    "discount": item.discount,
                    "total": item.total,
                }
                for item in self.item_ids
            ],
            "instalments": [
                {
                    "number": instalment.number,
                    "date_maturity": instalment.date_maturity,
                    "amount": instalment.amount,
                    "principal": instalment.principal,
                    "interest": instalment.interest,
                    "state": instalment.state,
                    "residual": instalment.amount_residual,
                }
                for instalment in instalments
            ],
            "principal": self.amount_principal,
            "correction": self.amount_correction,
            "fine": self.amount_fine,
            "interest": self.amount_interest,
            "charges": self.amount_charges,
            "updated": self.amount_updated,
            "discount": self.discount_amount,
            "financed": self.amount_financed,
            "financing_interest": self.amount_financing_interest,
            "total": self.amount_total,
            "count": len(instalments),
            "periodicity": self._periodicity_label(self.periodicity),
            "monthly_rate": self.monthly_rate or 0.0,
            "effective_annual_rate": self.effective_annual_rate,
            "first_due": instalments[:1].date_maturity,
            "last_due": instalments[-1:].date_maturity,
            "down_payment": self.down_payment,
        }

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Agreement %(name)s", name=self.name).replace("/", "-")

    # ------------------------------------------------------------------
    # Creation, from the terms of the wizard
    # ------------------------------------------------------------------

    @api.model
    def _values_from_terms(self, source, terms):
        """The values of an agreement with ``source``'s terms (a record of
        ``cobranca.agreement.terms``) and the figures ``terms`` it gives (the
        same figures the wizard's preview showed)."""
        doc = source._document_values_from_terms(terms)
        company = source.company_id
        return {
            "company_id": company.id,
            "partner_id": source.partner_id.commercial_partner_id.id,
            "date": source.date,
            "discount_amount": doc["discount"],
            "instalment_count": source.instalment_count,
            "first_due": source.first_due,
            "periodicity": source.periodicity,
            "down_payment": source.down_payment,
            "monthly_rate": source.monthly_rate,
            "valid_until": source.date + timedelta(days=company.cobranca_agreement_offer_days),
            "amount_principal": doc["principal"],
            "amount_correction": doc["correction"],
            "amount_fine": doc["fine"],
            "amount_interest": doc["interest"],
            "amount_charges": doc["charges"],
            "amount_updated": doc["updated"],
            "amount_financed": doc["financed"],
            "amount_financing_interest": doc["financing_interest"],
            "amount_total": doc["total"],
            "effective_annual_rate": doc["effective_annual_rate"],
            "item_ids": [
                Command.create(
                    {
                        "move_line_id": item["line"].id,
                        **{
                            key: item[key]
                            for key in (
                                "date_maturity",
                                "days_late",
                                "principal",
                                "correction",
                                "fine",
                                "interest",
                                "discount",
                            )
                        },
                    }
                )
                for item in doc["items"]
            ],
            "instalment_ids": [
                Command.create(dict(instalment)) for instalment in doc["instalments"]
            ],
        }

    @api.model_create_multi
    def create(self, vals_list):
        """An agreement a user makes is an offer whose figures the module computes
        again from its items and terms (the discount within the user's limit): no
        figure, state or acceptance typed in is taken. Its items and instalments
        are the module's records (no user creates them by hand), hence created as
        the system once the user's own rights were checked."""
        if not self.env.su:
            self.check_access("create")
            vals_list = [self._verified_values(vals) for vals in vals_list]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("cobranca.agreement") or "/"
        if self.env.su:
            return super().create(vals_list)
        agreements = super(CobrancaAgreement, self.sudo()).create(vals_list).sudo(False)
        agreements.check_access("create")  # the record rules: a company of the user
        return agreements

    @api.model
    def _verified_values(self, vals):
        """The values of an agreement a user makes, from the items and the terms
        of ``vals`` only: every figure computed again, the discount checked
        against the user's limit (:meth:`_check_discount`)."""
        lines = self.env["account.move.line"]
        for command in vals.get("item_ids") or []:
            if not (
                isinstance(command, (list, tuple))
                and len(command) == 3
                and command[0] == Command.CREATE
                and isinstance(command[2], dict)
                and isinstance(command[2].get("move_line_id"), int)
            ):
                raise UserError(
                    self.env._("An agreement is made of the open items it settles, nothing else.")
                )
            lines |= lines.browse(command[2]["move_line_id"])
        terms = {name: vals[name] for name in TERMS_FIELDS if name in vals}
        if not terms.get("partner_id") and lines:
            terms["partner_id"] = lines[:1].partner_id.commercial_partner_id.id
        source = self.env["cobranca.agreement.wizard"].new(
            {**terms, "move_line_ids": [Command.set(lines.ids)]}
        )
        figures = source._compute_terms(lines)
        source._check_discount(figures)
        values = self._values_from_terms(source, figures)
        values.update(
            {
                "name": "/",
                "state": "offered",
                "move_id": False,
                "date_confirmed": False,
                "date_closed": False,
                "close_reason": False,
                "accepted_online": False,
                "accepted_date": False,
                "accepted_ip": False,
                "accepted_user_agent": False,
            }
        )
        for name in ("channel", "user_id"):
            if name in vals:
                values[name] = vals[name]
        return values

    def write(self, vals):
        """What was offered and agreed is not rewritten: users may change the
        collector only; the module changes the rest (sudo)."""
        if not self.env.su:
            self.check_access("write")
            protected = {
                name
                for name in vals
                if name != "user_id"
                and not name.startswith(("message_", "activity_"))
                and name not in ("access_token", "website_message_ids")
            }
            if protected:
                raise UserError(
                    self.env._(
                        "The terms of an agreement cannot be changed: cancel the offer and "
                        "make a new one."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_cancelled(self):
        if any(agreement.state not in ("offered", "cancelled") for agreement in self):
            raise UserError(
                self.env._("An agreement that was confirmed is a record: it cannot be deleted.")
            )

    # ------------------------------------------------------------------
    # Offer and confirmation
    # ------------------------------------------------------------------

    def _recipient(self):
        """Who receives the agreement: the customer's invoice contact, else them."""
        self.ensure_one()
        contact = self.partner_id.address_get(["invoice"])["invoice"]
        return self.env["res.partner"].browse(contact) or self.partner_id

    def _send(self, template_xmlid):
        """E-mail the agreement document to the customer (if they have an address)."""
        template = self.env.ref(template_xmlid)
        for agreement in self:
            if agreement._recipient().email:
                agreement.message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment", message_type="comment"
                )
            else:
                agreement._message_log(
                    body=self.env._(
                        "The customer has no e-mail address: the document was not sent."
                    )
                )

    def action_send_offer(self):
        offers = self.filtered(lambda agreement: agreement.state == "offered")
        offers._portal_ensure_token()
        offers._send("cobranca_addon.mail_template_cobranca_agreement_offer")

    def action_confirm(self):
        """The customer agreed (signed, or said yes to the collector): book it."""
        for agreement in self:
            agreement._confirm(channel=agreement.channel)

    def _confirm(self, channel, accepted=None, day=None):
        """Book the agreement: the original items are settled against an entry
        whose instalments are new receivable lines.

        :param accepted: ``{ip, user_agent}`` when the customer accepted online
        :param day: the day of the confirmation (default: today)
        """
        self.ensure_one()
        today = day or self.company_id._cobranca_local_now().date()
        if self.state != "offered":
            raise UserError(self.env._("Only an offered agreement can be confirmed."))
        if self.valid_until and self.valid_until < today:
            raise UserError(
                self.env._(
                    "The offer expired on %(date)s: the charges have changed. Make a new "
                    "agreement.",
                    date=format_date(self.env, self.valid_until),
                )
            )
        changed = self.item_ids.filtered(lambda item: item._changed_since_offer())
        if changed:
            raise UserError(
                self.env._(
                    "These items changed since the offer (paid or settled meanwhile): "
                    "%(items)s. Make a new agreement.",
                    items=", ".join(changed.mapped("move_id.name")),
                )
            )
        system = self.sudo()
        system._portal_ensure_token()
        move = system._book(today)
        values = {"state": "active", "date_confirmed": today, "move_id": move.id}
        if accepted:
            values.update(
                accepted_online=True,
                accepted_date=fields.Datetime.now(),
                accepted_ip=(accepted.get("ip") or "")[:64],
                accepted_user_agent=(accepted.get("user_agent") or "")[:512],
            )
        system.write(values)
        system.env["cobranca.negotiation"].create(
            {
                "company_id": self.company_id.id,
                "partner_id": self.partner_id.id,
                "move_ids": [Command.set(self.item_ids.move_id.ids)],
                "user_id": self.user_id.id or self.env.user.id,
                "channel": channel,
                "outcome": "agreement",
                "agreement_id": self.id,
                "note": self._summary(),
            }
        )
        body = (
            self.env._("Accepted online by the customer from %(ip)s.", ip=values.get("accepted_ip"))
            if accepted
            else self.env._("Confirmed by %(user)s.", user=self.env.user.name)
        )
        self._message_log(body=body + " " + self._summary())
        self._send("cobranca_addon.mail_template_cobranca_agreement_confirmed")
        return move

    def _portal_can_accept(self):
        """Whether the customer may accept this agreement online now."""
        self.ensure_one()
        today = self.company_id._cobranca_local_now().date()
        return self.state == "offered" and (not self.valid_until or self.valid_until >= today)

    def _accept_online(self, ip=None, user_agent=None):
        """The customer accepted the offer on the portal: confirm it, with when, from
        where and with which browser they did."""
        self.ensure_one()
        return self.sudo()._confirm(
            channel="portal", accepted={"ip": ip or "", "user_agent": user_agent or ""}
        )

    def _summary(self):
        self.ensure_one()
        return self.env._(
            "Agreement %(name)s: %(count)s instalments totalling %(total)s, first due on "
            "%(first)s.",
            name=self.name,
            count=self.instalment_count,
            total=format_amount(self.env, self.amount_total, self.currency_id),
            first=format_date(self.env, self.first_due),
        )

    def _book(self, day):
        """The journal entry of the agreement, posted, its original items settled."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id
        journal = company._cobranca_agreement_journal()
        receivable = partner.with_company(company).property_account_receivable_id
        if not receivable:
            raise UserError(
                self.env._("%(customer)s has no receivable account.", customer=partner.name)
            )
        line_values = []
        for item in self.item_ids:
            line_values.append(
                {
                    "name": self.env._(
                        "%(agreement)s: renegotiated %(item)s",
                        agreement=self.name,
                        item=item.move_id.name,
                    ),
                    "account_id": item.move_line_id.account_id.id,
                    "partner_id": partner.id,
                    "debit": 0.0,
                    "credit": item.principal,
                    "cobranca_agreement_item_id": item.id,
                }
            )
        charges_account = None
        for label, amount in (
            (self.env._("Monetary correction"), self.amount_correction),
            (self.env._("Late fee"), self.amount_fine),
            (self.env._("Default interest"), self.amount_interest),
            (self.env._("Instalment interest"), self.amount_financing_interest),
        ):
            if self.currency_id.is_zero(amount):
                continue
            charges_account = charges_account or company._cobranca_charges_account()
            line_values.append(
                {
                    "name": f"{self.name}: {label}",
                    "account_id": charges_account.id,
                    "partner_id": partner.id,
                    "debit": 0.0,
                    "credit": amount,
                }
            )
        if not self.currency_id.is_zero(self.discount_amount):
            line_values.append(
                {
                    "name": self.env._("%(agreement)s: discount", agreement=self.name),
                    "account_id": company._cobranca_discount_account().id,
                    "partner_id": partner.id,
                    "debit": self.discount_amount,
                    "credit": 0.0,
                }
            )
        count = len(self.instalment_ids)
        for instalment in self.instalment_ids:
            line_values.append(
                {
                    "name": self.env._(
                        "%(agreement)s: instalment %(number)s/%(count)s",
                        agreement=self.name,
                        number=instalment.number,
                        count=count,
                    ),
                    "account_id": receivable.id,
                    "partner_id": partner.id,
                    "debit": instalment.amount,
                    "credit": 0.0,
                    "date_maturity": instalment.date_maturity,
                    "cobranca_agreement_instalment_id": instalment.id,
                }
            )
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": day,
                    "ref": self.name,
                    "partner_id": partner.id,
                    "cobranca_agreement_id": self.id,
                    "line_ids": [Command.create(values) for values in line_values],
                }
            )
        )
        move.action_post()
        for line in move.line_ids:
            if line.cobranca_agreement_item_id:
                (line | line.cobranca_agreement_item_id.move_line_id).reconcile()
            if line.cobranca_agreement_instalment_id:
                line.cobranca_agreement_instalment_id.move_line_id = line
        return move

    def action_cancel(self):
        self.check_access("write")
        offers = self.filtered(lambda agreement: agreement.state == "offered")
        if offers != self:
            raise UserError(
                self.env._(
                    "Only an offer can be cancelled; a confirmed agreement is kept or broken."
                )
            )
        offers.sudo().write(
            {
                "state": "cancelled",
                "date_closed": fields.Date.context_today(self),
                "close_reason": self.env._("Cancelled by %(user)s.", user=self.env.user.name),
            }
        )

    def action_open_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    def action_preview_portal(self):
        self.ensure_one()
        self._portal_ensure_token()
        return {"type": "ir.actions.act_url", "url": self.get_portal_url(), "target": "new"}

    # ------------------------------------------------------------------
    # Followed up every day: expired offers, kept and broken agreements
    # ------------------------------------------------------------------

    @api.model
    def _follow_up(self, company, today=None):
        """Expire the offers of ``company`` past their validity, and mark its active
        agreements kept (everything paid) or broken (an instalment overdue beyond
        the tolerance of the Settings). A broken agreement is logged on the
        customer with a task for the collector; its instalments left stay in the
        régua, and the customer's credit status shows it.

        :return: ``(kept, broken, expired)``
        """
        today = today or company._cobranca_local_now().date()
        system = self.sudo()
        expired = system.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "offered"),
                ("valid_until", "<", today),
            ]
        )
        expired.write(
            {
                "state": "cancelled",
                "date_closed": today,
                "close_reason": self.env._("The offer expired."),
            }
        )
        active = system.search([("company_id", "=", company.id), ("state", "=", "active")])
        tolerance = timedelta(days=company.cobranca_agreement_tolerance_days)
        kept = broken = system.browse()
        for agreement in active:
            currency = agreement.currency_id
            open_instalments = agreement.instalment_ids.filtered(
                lambda instalment, currency=currency: (
                    not currency.is_zero(instalment.amount_residual)
                )
            )
            if not open_instalments:
                kept |= agreement
            elif any(i.date_maturity + tolerance < today for i in open_instalments):
                broken |= agreement
        kept.write({"state": "kept", "date_closed": today})
        broken.write(
            {
                "state": "broken",
                "date_closed": today,
                "close_reason": self.env._(
                    "An instalment is overdue beyond %(days)s days.",
                    days=company.cobranca_agreement_tolerance_days,
                ),
            }
        )
        for agreement in kept:
            agreement._message_log(body=self.env._("Agreement kept: every instalment was paid."))
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for agreement in broken:
            body = self.env._(
                "Agreement %(name)s broken: an instalment is overdue beyond %(days)s days; "
                "%(left)s left to pay, reminded by the régua.",
                name=agreement.name,
                days=company.cobranca_agreement_tolerance_days,
                left=format_amount(self.env, agreement.amount_residual, agreement.currency_id),
            )
            agreement._message_log(body=body)
            agreement.partner_id._message_log(body=body)
            if activity_type and agreement.user_id:
                agreement.activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=self.env._("Broken agreement: contact the customer"),
                    note=Markup("<p>%s</p>") % body,
                    user_id=agreement.user_id.id,
                    date_deadline=today,
                )
        return kept, broken, expired

    # ------------------------------------------------------------------
    # Figures for the reports
    # ------------------------------------------------------------------

    @api.model
    def _figures(self, companies, date_from=None, date_to=None):
        """Agreements confirmed in the period, kept, broken and active, their
        amounts and what they recovered, per company: ``{company: {...}}``."""
        domain = [("company_id", "in", companies.ids), ("date_confirmed", "!=", False)]
        if date_from:
            domain.append(("date_confirmed", ">=", date_from))
        if date_to:
            domain.append(("date_confirmed", "<=", date_to))
        result = {
            company: {"made": 0, "kept": 0, "broken": 0, "active": 0, "amount_financed": 0.0,
                      "amount_paid": 0.0, "amount_residual": 0.0}
            for company in companies
        }  # fmt: skip
        for company, state, count, financed, paid, residual in self._read_group(
            domain,
            ["company_id", "state"],
            ["__count", "amount_total:sum", "amount_paid:sum", "amount_residual:sum"],
        ):
            figures = result[company]
            figures["made"] += count
            if state in ("kept", "broken", "active"):
                figures[state] += count
            figures["amount_financed"] += financed
            figures["amount_paid"] += paid
            figures["amount_residual"] += residual
        return result


class CobrancaAgreementItem(models.Model):
    """An original item of an agreement and what it was worth on the agreement date."""

    _name = "cobranca.agreement.item"
    _description = "Collection Agreement: Original Item"
    _order = "agreement_id, date_maturity, id"

    agreement_id = fields.Many2one(
        "cobranca.agreement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    move_line_id = fields.Many2one(
        "account.move.line", string="Item", required=True, ondelete="restrict", index=True
    )
    move_id = fields.Many2one(related="move_line_id.move_id", store=True, string="Invoice")
    date_maturity = fields.Date(string="Due Date")
    days_late = fields.Integer()
    principal = fields.Monetary(string="Open Amount")
    correction = fields.Monetary()
    fine = fields.Monetary(string="Late Fee")
    interest = fields.Monetary()
    discount = fields.Monetary()
    total = fields.Monetary(string="Updated Amount", compute="_compute_total", store=True)

    @api.depends("principal", "correction", "fine", "interest", "discount")
    def _compute_total(self):
        for item in self:
            item.total = item.currency_id.round(
                item.principal + item.correction + item.fine + item.interest - item.discount
            )

    def _changed_since_offer(self):
        """Whether the item was paid or settled since the agreement was offered."""
        self.ensure_one()
        line = self.move_line_id
        return line.reconciled or bool(
            line.currency_id.compare_amounts(line.amount_residual, self.principal)
        )


class CobrancaAgreementInstalment(models.Model):
    """An instalment (parcela) of an agreement: once confirmed, a receivable line."""

    _name = "cobranca.agreement.instalment"
    _description = "Collection Agreement: Instalment"
    _order = "agreement_id, number"

    agreement_id = fields.Many2one(
        "cobranca.agreement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    number = fields.Integer(required=True)
    date_maturity = fields.Date(string="Due Date", required=True)
    amount = fields.Monetary(required=True)
    principal = fields.Monetary()
    interest = fields.Monetary()
    move_line_id = fields.Many2one(
        "account.move.line", string="Receivable Line", readonly=True, index="btree_not_null"
    )
    amount_residual = fields.Monetary(
        string="Left to Pay", compute="_compute_amount_residual", store=True
    )
    state = fields.Selection(
        [("draft", "Not Booked"), ("open", "Open"), ("paid", "Paid")],
        compute="_compute_amount_residual",
        store=True,
    )

    @api.depends("amount", "move_line_id.amount_residual", "move_line_id.reconciled")
    def _compute_amount_residual(self):
        for instalment in self:
            line = instalment.move_line_id
            if not line:
                instalment.amount_residual = instalment.amount
                instalment.state = "draft"
                continue
            instalment.amount_residual = max(line.amount_residual, 0.0)
            instalment.state = (
                "paid"
                if line.reconciled or instalment.currency_id.is_zero(line.amount_residual)
                else "open"
            )

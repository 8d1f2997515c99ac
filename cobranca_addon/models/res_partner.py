import functools

from odoo import api, fields, models
from odoo.tools import SQL, format_amount, get_lang

CREDIT_STATUS = [("ok", "OK"), ("warning", "Warning"), ("blocked", "Blocked")]


class ResPartner(models.Model):
    _name = "res.partner"
    # LGPD export and anonymisation: cobranca_lgpd_subject.py
    _inherit = ["res.partner", "cobranca.lgpd.subject"]

    cobranca_policy_id = fields.Many2one(
        "cobranca.policy",
        string="Collection Policy",
        company_dependent=True,
        groups="cobranca_addon.group_cobranca_user",
        help="The régua for this customer; empty means the company's default policy.",
    )
    cobranca_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        groups="cobranca_addon.group_cobranca_user",
        help="Receives this customer's phone tasks; empty means the policy's collector.",
    )
    cobranca_line_ids = fields.One2many(
        "cobranca.line",
        "partner_id",
        string="Dunning Lines",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_message_ids = fields.One2many(
        "cobranca.message",
        "partner_id",
        string="Collection Messages",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_line_count = fields.Integer(
        string="Number of Dunning Lines",
        compute="_compute_cobranca_counts",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_message_count = fields.Integer(
        string="Number of Reminders",
        compute="_compute_cobranca_counts",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_last_date = fields.Date(
        string="Last Reminder",
        compute="_compute_cobranca_counts",
        groups="cobranca_addon.group_cobranca_user",
    )

    @api.depends_context("company")
    def _compute_cobranca_counts(self):
        domain = [
            ("partner_id", "in", self.commercial_partner_id.ids),
            ("company_id", "in", self.env.companies.ids),
        ]
        lines = {
            partner: (count, last)
            for partner, count, last in self.env["cobranca.line"]._read_group(
                domain, ["partner_id"], ["__count", "date:max"]
            )
        }
        messages = dict(
            self.env["cobranca.message"]._read_group(domain, ["partner_id"], ["__count"])
        )
        for partner in self:
            commercial = partner.commercial_partner_id
            count, last = lines.get(commercial, (0, False))
            partner.cobranca_line_count = count
            partner.cobranca_last_date = last
            partner.cobranca_message_count = messages.get(commercial, 0)

    cobranca_negotiation_ids = fields.One2many(
        "cobranca.negotiation",
        "partner_id",
        string="Negotiation Log",
        groups="cobranca_addon.group_cobranca_user",
    )

    cobranca_business_relation = fields.Boolean(
        string="Business Relation",
        groups="cobranca_addon.group_cobranca_user",
        help="A person (CPF) in a business relation: the company's late fee applies in full. "
        "Otherwise a person is a consumer, whose late fee never exceeds 2% (CDC art. 52 §1).",
    )
    cobranca_agreement_ids = fields.One2many(
        "cobranca.agreement",
        "partner_id",
        string="Agreements",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_agreement_count = fields.Integer(
        string="Number of Agreements",
        compute="_compute_cobranca_negotiation_count",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_negotiation_count = fields.Integer(
        string="Number of Contacts",
        compute="_compute_cobranca_negotiation_count",
        groups="cobranca_addon.group_cobranca_user",
    )

    def _compute_cobranca_negotiation_count(self):
        counts = dict(
            self.env["cobranca.negotiation"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        agreements = dict(
            self.env["cobranca.agreement"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.cobranca_negotiation_count = counts.get(partner.commercial_partner_id, 0)
            partner.cobranca_agreement_count = agreements.get(partner.commercial_partner_id, 0)

    def action_cobranca_log_contact(self):
        self.ensure_one()
        return self.env["cobranca.negotiation"]._action_log(self.commercial_partner_id)

    def action_open_cobranca_negotiations(self):
        action = self._cobranca_open_related("cobranca_addon.cobranca_negotiation_action")
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _cobranca_regua(self, company):
        """The collection policy of this customer in ``company``: their own, else the
        one of their credit segment's policy, else the company's (as the run)."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(company).sudo()
        if partner.cobranca_policy_id:
            return partner.cobranca_policy_id
        score = (
            self.env["cobranca.partner.score"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=1)
        )
        credit = score.credit_policy_id
        return (credit.regua_id if credit.active else False) or company.cobranca_policy_id

    def _cobranca_open_related(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def action_open_cobranca_lines(self):
        return self._cobranca_open_related("cobranca_addon.cobranca_line_action")

    def action_open_cobranca_messages(self):
        return self._cobranca_open_related("cobranca_addon.cobranca_message_action")

    def action_open_cobranca_items(self):
        action = self._cobranca_open_related("cobranca_addon.cobranca_overdue_item_action")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"search_default_filter_open": 1}
        return action

    # ------------------------------------------------------------------
    # Credit: segment, policy, one status for sales
    # ------------------------------------------------------------------

    cobranca_segment_id = fields.Many2one(
        "cobranca.segment",
        string="Credit Segment",
        compute="_compute_cobranca_credit",
        groups="cobranca_addon.group_cobranca_user",
        help="The customer's segment by payment behaviour (or set by a manager).",
    )
    cobranca_score = fields.Float(
        string="Payment Score",
        compute="_compute_cobranca_credit",
        digits=(16, 1),
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_credit_policy_id = fields.Many2one(
        "cobranca.credit.policy",
        string="Credit Policy",
        compute="_compute_cobranca_credit",
        groups="cobranca_addon.group_cobranca_user",
    )
    cobranca_credit_status = fields.Selection(
        CREDIT_STATUS,
        string="Credit Status",
        compute="_compute_cobranca_credit",
        help="May this customer buy on credit now? OK, Warning (a rule of the credit "
        "policy is exceeded) or Blocked (new sales or invoices need a manager).",
    )
    cobranca_credit_reasons = fields.Text(
        string="Credit Status Reasons", compute="_compute_cobranca_credit"
    )
    cobranca_credit_exposure = fields.Monetary(
        string="Credit Exposure",
        compute="_compute_cobranca_credit",
        currency_field="cobranca_currency_id",
        groups="cobranca_addon.group_cobranca_user",
        help="Open receivables, plus what is confirmed but not invoiced yet.",
    )
    cobranca_credit_limit = fields.Monetary(
        string="Effective Credit Limit",
        compute="_compute_cobranca_credit",
        currency_field="cobranca_currency_id",
        groups="cobranca_addon.group_cobranca_user",
        help="The customer's own credit limit, else the one of their credit policy; 0: none.",
    )
    cobranca_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_cobranca_credit",
        string="Credit Currency",
        groups="cobranca_addon.group_cobranca_user",
    )

    @api.depends_context("company")
    def _compute_cobranca_credit(self):
        data = self._cobranca_credit_data(self.env.company)
        for partner in self:
            values = data.get(partner.commercial_partner_id.id or partner.id, {})
            partner.cobranca_segment_id = values.get("segment")
            partner.cobranca_score = values.get("score", 0.0)
            partner.cobranca_credit_policy_id = values.get("policy")
            partner.cobranca_credit_status = values.get("status", "ok")
            partner.cobranca_credit_reasons = "\n".join(values.get("reasons", [])) or False
            partner.cobranca_credit_exposure = values.get("exposure", 0.0)
            partner.cobranca_credit_limit = values.get("limit", 0.0)
            partner.cobranca_currency_id = self.env.company.currency_id

    def _cobranca_credit_data(self, company):
        """The credit standing of these customers in ``company``, in a few queries
        whatever the number of customers or of their items.

        :return: ``{commercial partner id: {segment, score, policy, status,
            reasons, exposure, limit}}``
        """
        # one query for all of them (the prefetch reads 1,000 customers per query)
        self.filtered("id").fetch(["commercial_partner_id"])
        commercials = self.commercial_partner_id or self
        commercials = commercials.filtered("id")
        if not commercials:
            return {}
        Score = self.env["cobranca.partner.score"].sudo()
        scores = {
            score.partner_id.id: score
            for score in Score.search_fetch(
                [("partner_id", "in", commercials.ids), ("company_id", "=", company.id)],
                ["partner_id", "score", "segment_id", "credit_policy_id", "monthly_volume"],
                order="id",
            )
        }
        receivables = self._cobranca_receivable_figures(commercials, company)
        escalated = self._cobranca_escalated(commercials, company)
        to_invoice = self._cobranca_amount_to_invoice(commercials, company)
        extra_reasons = self._cobranca_credit_extra_reasons(commercials, company)
        default_policy = company.sudo().cobranca_credit_policy_id
        # a scored customer has their segment and policy on the score; the others
        # (not scored yet) are new customers: their segment and its policy
        new_segment = self.env["cobranca.segment"]
        new_policy = self.env["cobranca.credit.policy"]
        if any(partner_id not in scores for partner_id in commercials.ids):
            new_segment = Score._new_customer_segment(company)
            policy_fields = [
                "name",
                "limit_rule",
                "limit_amount",
                "limit_multiple",
                "max_days_overdue",
                "action",
                "block_on_escalation",
            ]
            new_policy = Score._policy_of_segment(new_segment, company, policy_fields)
        partners = commercials.sudo().with_company(company)
        partners.fetch(["credit_limit", "trust"])
        default_limit = self._fields["credit_limit"].get_company_dependent_fallback(partners)
        currency = company.currency_id

        # format_amount looks the language up at each call (from the user and their
        # company when the context has none): the over-limit reasons were ~38 % of the
        # status of 10,000 customers. Look it up once, and format each amount once.
        @functools.cache
        def lang_code():
            return get_lang(self.env).code

        @functools.cache
        def money(amount):
            return format_amount(self.env, amount, currency, lang_code())

        result = {}
        for partner in partners:
            score = scores.get(partner.id)
            if score:
                segment, policy = score.segment_id, score.credit_policy_id
            else:
                segment, policy = new_segment, new_policy
            policy = policy or default_policy
            balance, max_days_overdue = receivables.get(partner.id, (0.0, 0))
            exposure = currency.round(balance + to_invoice.get(partner.id, 0.0))
            limit = partner._cobranca_effective_limit(policy, score, default_limit, company)
            reasons = []
            if limit and currency.compare_amounts(exposure, limit) > 0:
                reasons.append(
                    self.env._(
                        "Over the credit limit: exposure %(exposure)s for a limit of %(limit)s.",
                        exposure=money(exposure),
                        limit=money(limit),
                    )
                )
            tolerance = policy.max_days_overdue if policy else None
            if tolerance is not None and max_days_overdue > tolerance:
                reasons.append(
                    self.env._(
                        "An item is %(days)s days overdue (tolerated: %(tolerance)s).",
                        days=max_days_overdue,
                        tolerance=tolerance,
                    )
                )
            if (not policy or policy.block_on_escalation) and partner.id in escalated:
                reasons.append(
                    self.env._(
                        "Items under %(kinds)s.",
                        kinds=", ".join(sorted(escalated[partner.id])),
                    )
                )
            if partner.trust == "bad":
                reasons.append(self.env._("Marked as a bad debtor on the customer."))
            reasons += extra_reasons.get(partner.id, [])
            if not reasons:
                status = "ok"
            elif policy and policy.action != "warn" and company.cobranca_credit_hold_enabled:
                status = "blocked"
            else:
                status = "warning"
            result[partner.id] = {
                "segment": segment,
                "score": score.score if score else 0.0,
                "policy": policy,
                "status": status,
                "reasons": reasons,
                "exposure": exposure,
                "limit": limit or 0.0,
            }
        return result

    def _cobranca_effective_limit(self, policy, score, default_limit, company):
        """The customer's own limit (Odoo's credit limit) when they have one, else
        the policy's; ``None`` for no limit."""
        self.ensure_one()
        if self.credit_limit and self.credit_limit != default_limit:
            return self.credit_limit
        if policy and policy.limit_rule == "fixed":
            return policy.limit_amount or None
        if policy and policy.limit_rule == "multiple":
            monthly = score.monthly_volume if score else 0.0
            return company.currency_id.round(monthly * policy.limit_multiple) or None
        if company.account_use_credit_limit and default_limit:
            return default_limit
        return None

    @api.model
    def _cobranca_receivable_figures(self, commercials, company):
        """``{partner id: (open receivable balance, oldest overdue days)}``, one query."""
        today = company._cobranca_local_now().date()
        self.env["account.move.line"].flush_model(
            ["amount_residual", "reconciled", "parent_state", "date_maturity", "partner_id"]
        )
        # The lines are found by partner id (the customers and their contacts, an array
        # computed first) through account_move_line__unreconciled_index: filtering on
        # partner.commercial_partner_id made PostgreSQL scan res_partner in parallel for
        # a page of 80 customers (EXPLAIN ANALYZE: 8.2 ms -> 1.8 ms). They are summed
        # per partner before res_partner is joined for the customer, so that the 10,000
        # items of a big customer do not cost 10,000 lookups of res_partner.
        self.env.cr.execute(
            SQL(
                """
                SELECT partner.commercial_partner_id, SUM(figures.residual),
                       MAX(figures.days_overdue)
                  FROM (
                    SELECT aml.partner_id,
                           SUM(aml.amount_residual) AS residual,
                           MAX(%(today)s::date - aml.date_maturity) FILTER (
                               WHERE (move.move_type = 'out_invoice'
                                      OR move.cobranca_agreement_id IS NOT NULL)
                                 AND aml.amount_residual > 0
                                 AND aml.date_maturity < %(today)s) AS days_overdue
                      FROM account_move_line aml
                      JOIN account_move move ON move.id = aml.move_id
                      JOIN account_account account ON account.id = aml.account_id
                     WHERE aml.company_id = %(company)s
                       AND aml.parent_state = 'posted'
                       AND account.account_type = 'asset_receivable'
                       AND aml.reconciled IS NOT TRUE
                       AND aml.partner_id = ANY(ARRAY(
                               SELECT id FROM res_partner
                                WHERE commercial_partner_id = ANY(%(partners)s)))
                     GROUP BY aml.partner_id
                  ) figures
                  JOIN res_partner partner ON partner.id = figures.partner_id
                 GROUP BY partner.commercial_partner_id
                """,
                today=today,
                company=company.id,
                partners=commercials.ids,
            )
        )
        return {row[0]: (row[1] or 0.0, row[2] or 0) for row in self.env.cr.fetchall()}

    @api.model
    def _cobranca_escalated(self, commercials, company):
        """``{partner id: {kinds}}`` of customers with items under negativação or
        protesto that were requested or done and are not paid."""
        labels = dict(
            self.env["cobranca.escalation"]._fields["kind"]._description_selection(self.env)
        )
        groups = (
            self.env["cobranca.escalation.item"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", commercials.ids),
                    ("company_id", "=", company.id),
                    ("kind", "in", ("negativacao", "protesto")),
                    ("state", "in", ("requested", "done")),
                    ("date_paid", "=", False),
                ],
                ["partner_id", "kind"],
                ["__count"],
            )
        )
        escalated = {}
        for partner, kind, _count in groups:
            escalated.setdefault(partner.id, set()).add(labels[kind])
        return escalated

    @api.model
    def _cobranca_amount_to_invoice(self, commercials, company):
        """Hook: ``{partner id: amount confirmed but not invoiced}`` (sales adds it)."""
        return {}

    @api.model
    def _cobranca_credit_extra_reasons(self, commercials, company):
        """``{partner id: [reasons]}``, further reasons why these customers are
        beyond their credit policy, set-based: a broken agreement with something
        left to pay (a hook for other modules)."""
        reasons = {}
        broken = (
            self.env["cobranca.agreement"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", commercials.ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "broken"),
                    ("amount_residual", ">", 0),
                ],
                ["partner_id"],
                ["name:array_agg", "amount_residual:sum"],
            )
        )
        for partner, names, residual in broken:
            reasons.setdefault(partner.id, []).append(
                self.env._(
                    "Broken agreement %(names)s: %(left)s left to pay.",
                    names=", ".join(sorted(names)),
                    left=format_amount(self.env, residual, company.currency_id),
                )
            )
        return reasons

    def action_cobranca_new_agreement(self):
        self.ensure_one()
        return self.env["cobranca.agreement.wizard"]._action_open(
            self.commercial_partner_id, self.env["account.move.line"]
        )

    def action_open_cobranca_agreements(self):
        action = self._cobranca_open_related("cobranca_addon.cobranca_agreement_action")
        return action

    def action_cobranca_override_segment(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_segment_override_wizard_action"
        )
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_open_cobranca_segment_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_segment_history_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Customer statement (extrato)
    # ------------------------------------------------------------------

    def _cobranca_check_statement_access(self):
        self.env["report.cobranca_addon.report_cobranca_statement"]._check_statement_access()

    def _cobranca_statement_recipient(self):
        """Who receives the statement: the customer's invoice contact with an
        e-mail address, else the customer."""
        self.ensure_one()
        partner = self.commercial_partner_id
        contacts = partner.child_ids.filtered(
            lambda contact: contact.type == "invoice" and contact.active and contact.email
        )
        return contacts[:1] or partner

    def _cobranca_statement_company(self):
        """The creditor of the statement: the current company."""
        return self.env.company

    def _cobranca_statement_filename(self):
        self.ensure_one()
        today = self._cobranca_statement_company()._cobranca_local_now().date()
        return self.env._(
            "Statement %(customer)s %(date)s",
            customer=self.commercial_partner_id.name or "",
            date=fields.Date.to_string(today),
        )

    def action_cobranca_print_statement(self):
        self._cobranca_check_statement_access()
        report = self.env.ref("cobranca_addon.action_report_cobranca_statement")
        return report.report_action(self.commercial_partner_id)

    def action_cobranca_send_statement(self):
        """Odoo's e-mail composer with the statement template: the statement PDF is
        attached, the recipient is the customer's invoice contact."""
        self.ensure_one()
        self._cobranca_check_statement_access()
        partner = self.commercial_partner_id
        template = self.env.ref(
            "cobranca_addon.mail_template_cobranca_statement", raise_if_not_found=False
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send the statement"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": partner.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
            },
        }

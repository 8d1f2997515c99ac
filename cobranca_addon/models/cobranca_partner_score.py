import io
import logging
from datetime import timedelta

import psycopg2.extensions

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools import entrada, scoring

_logger = logging.getLogger(__name__)

#: The figures of a score, in the order of the scoring query's columns.
FIGURES = (
    "paid_count",
    "avg_days_late",
    "weighted_days_late",
    "late_share",
    "open_overdue_amount",
    "max_days_overdue",
    "volume",
    "relationship_days",
)


def _copy_text(rows):
    """``rows`` in the text format of ``COPY`` (numbers, booleans and NULLs only)."""

    def text(value):
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        return repr(value)

    return io.StringIO("".join("\t".join(map(text, row)) + "\n" for row in rows))


class CobrancaPartnerScore(models.Model):
    """A customer's payment-behaviour figures in one company, the score and the
    segment they lead to (or a manager's override), refreshed every night.

    The figures are kept so that anyone may see why a customer is in a segment
    (LGPD art. 20: a person may ask for the review of an automated decision).
    """

    _name = "cobranca.partner.score"
    _description = "Customer Payment Score"
    _order = "company_id, score, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Scored On", readonly=True)
    window_months = fields.Integer(string="Window (Months)", readonly=True)
    paid_count = fields.Integer(string="Items Paid", readonly=True)
    avg_days_late = fields.Float(string="Average Days Late", digits=(16, 1), readonly=True)
    weighted_days_late = fields.Float(
        digits=(16, 1),
        readonly=True,
        help="Average delay weighted by the amounts: a late big invoice weighs more.",
    )
    late_share = fields.Float(string="Share Paid Late", digits=(16, 3), readonly=True)
    open_overdue_amount = fields.Monetary(string="Open Overdue", readonly=True)
    max_days_overdue = fields.Integer(string="Oldest Overdue (Days)", readonly=True)
    volume = fields.Monetary(string="Invoiced in the Window", readonly=True)
    monthly_volume = fields.Monetary(string="Monthly Purchases", readonly=True)
    relationship_days = fields.Integer(string="Customer for (Days)", readonly=True)
    score = fields.Float(digits=(16, 1), readonly=True, help="0 (worst) to 100 (best).")
    has_history = fields.Boolean(readonly=True)
    penalty_delay = fields.Float(string="Points: Delays", digits=(16, 1), readonly=True)
    penalty_late_share = fields.Float(
        string="Points: Share Paid Late", digits=(16, 1), readonly=True
    )
    penalty_overdue = fields.Float(string="Points: Overdue Items", digits=(16, 1), readonly=True)
    computed_segment_id = fields.Many2one(
        "cobranca.segment", string="Segment by Score", readonly=True, ondelete="set null"
    )
    override_segment_id = fields.Many2one(
        "cobranca.segment", string="Segment Set by a Manager", readonly=True, ondelete="set null"
    )
    override_reason = fields.Char(readonly=True)
    override_user_id = fields.Many2one("res.users", string="Overridden By", readonly=True)
    override_date = fields.Datetime(string="Overridden On", readonly=True)
    segment_id = fields.Many2one("cobranca.segment", readonly=True, index=True, ondelete="set null")
    credit_policy_id = fields.Many2one(
        "cobranca.credit.policy", readonly=True, index=True, ondelete="set null"
    )
    history_ids = fields.One2many("cobranca.segment.history", "score_id", readonly=True)

    _sql_constraints = [
        (
            "partner_company_unique",
            "UNIQUE(partner_id, company_id)",
            "A customer has one score per company.",
        ),
    ]

    # ------------------------------------------------------------------
    # Segments and policies
    # ------------------------------------------------------------------

    @api.model
    def _segments_of(self, company):
        return (
            self.env["cobranca.segment"].sudo().search([("company_id", "in", [False, company.id])])
        )

    @api.model
    def _policy_by_segment(self, company):
        policies = (
            self.env["cobranca.credit.policy"]
            .sudo()
            .search([("company_id", "in", [False, company.id])], order="sequence, id")
        )
        by_segment = {}
        for policy in policies:
            for segment in policy.segment_ids:
                by_segment.setdefault(segment.id, policy.id)
        return by_segment

    @api.model
    def _weights(self):
        """The points each criterion of the score takes (Settings > Cobrança)."""
        params = self.env["ir.config_parameter"].sudo()
        defaults = scoring.DEFAULT_WEIGHTS
        values = {}
        for name in vars(defaults):
            raw = params.get_param(f"cobranca_addon.scoring_{name}")
            try:
                values[name] = (
                    float(raw) if raw not in (None, False, "") else getattr(defaults, name)
                )
            except ValueError:
                values[name] = getattr(defaults, name)
        return scoring.Weights(**values)

    @api.model
    def _new_customer_segment(self, company):
        """The segment of customers without history: the first of
        :meth:`_segments_of` that is for new customers."""
        return (
            self.env["cobranca.segment"]
            .sudo()
            .search(
                [("company_id", "in", [False, company.id]), ("is_new_customer", "=", True)],
                limit=1,
            )
        )

    @api.model
    def _policy_of_segment(self, segment, company, field_names=()):
        """The credit policy :meth:`_policy_by_segment` gives ``segment`` (the first
        by sequence), in one query with ``field_names`` fetched."""
        if not segment:
            return self.env["cobranca.credit.policy"].sudo()
        return (
            self.env["cobranca.credit.policy"]
            .sudo()
            .search_fetch(
                [("company_id", "in", [False, company.id]), ("segment_ids", "in", segment.ids)],
                field_names,
                order="sequence, id",
                limit=1,
            )
        )

    @api.model
    def _segment_rules(self, segments):
        """``(thresholds, new customer segment id)`` of ``segments`` for
        :func:`..tools.scoring.segment_for`."""
        thresholds = [
            (segment.id, segment.min_score) for segment in segments if not segment.is_new_customer
        ]
        return thresholds, segments.filtered("is_new_customer")[:1].id or None

    # ------------------------------------------------------------------
    # The nightly scoring
    # ------------------------------------------------------------------

    @api.model
    def _cron_score(self):
        """Scheduled action: score every customer of every company."""
        for company in self.env["res.company"].search([]):
            self._score_company(company)

    @api.model
    def _score_company(self, company, today=None):
        """Score all the customers of ``company`` at once.

        One SQL statement gathers the figures of every customer with receivables;
        the pure function :func:`..tools.scoring.score` turns them into scores and
        segments; one statement writes them all; a history line records each
        change of segment with the figures that caused it.

        :return: number of customers scored
        """
        today = today or company._cobranca_local_now().date()
        months = int(
            self.env["ir.config_parameter"].sudo().get_param("cobranca_addon.scoring_months", 12)
        )
        since = today - timedelta(days=round(months * 30.44))
        self.env.flush_all()
        self.env.cr.execute(self._figures_query(company, today, since))
        rows = self.env.cr.fetchall()
        # the segments' rules once, not per customer (filtering the segments for each
        # of 10,000 customers was half of the loop's Python time)
        thresholds, new_customer = self._segment_rules(self._segments_of(company))
        policy_by_segment = self._policy_by_segment(company)
        weights = self._weights()
        currency = company.currency_id
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, id, computed_segment_id, override_segment_id, segment_id
                  FROM cobranca_partner_score WHERE company_id = %s
                """,
                company.id,
            )
        )
        existing = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        records, changes = [], []
        for partner_id, *values in rows:
            figures = scoring.Figures(
                **{name: (value or 0) for name, value in zip(FIGURES, values, strict=True)}
            )
            value, penalties = scoring.score(figures, weights)
            computed = scoring.segment_for(value, thresholds, new_customer) or False
            _id, previous_computed, override, previous = existing.get(
                partner_id, (None, None, None, None)
            )
            segment = override or computed
            records.append(
                (
                    partner_id,
                    *[getattr(figures, name) for name in FIGURES],
                    currency.round(figures.volume / months) if months else 0.0,
                    value if value is not None else 0.0,
                    figures.has_history,
                    penalties.get("delay", 0.0),
                    penalties.get("late_share", 0.0),
                    penalties.get("overdue", 0.0),
                    computed or None,
                    segment or None,
                    policy_by_segment.get(segment) if segment else None,
                )
            )
            if (computed or None) != previous_computed and not override:
                changes.append((partner_id, previous, computed or None))
        self._write_scores(company, today, months, records)
        self._write_history(company, today, changes)
        self.invalidate_model()
        _logger.info(
            "Scored %s customers of %s (%s segment changes)", len(rows), company.name, len(changes)
        )
        return len(rows)

    @api.model
    def _figures_query(self, company, today, since):
        # Planner notes (EXPLAIN ANALYZE on 100,000 receivable lines, see
        # docs/benchmark-credit-notes.md); the same rows, 0.45-0.55 s -> 0.25-0.3 s:
        # - the receivable accounts are given by id, not by joining account_account on
        #   account_type: with the join PostgreSQL estimated 2,468 lines per worker for
        #   33,333 and chose 200,000 index lookups of account_move and res_partner;
        # - the partials are aggregated once for the company's family (a partial takes
        #   the company of the invoice or of the payment, reconciled within one family)
        #   and joined by hash: selecting them by the receivable lines (a CTE used twice,
        #   so materialized, and misestimated at 1,216 rows for 75,561) made a nested
        #   loop of 75,561 index scans of account_partial_reconcile.
        accounts = (
            self.env["account.account"]
            .sudo()
            .search([("account_type", "=", "asset_receivable")], order="id")
        )
        return SQL(
            """
            WITH payments AS (
                SELECT partial.debit_move_id AS line_id, MAX(partial.max_date) AS paid_on
                  FROM account_partial_reconcile partial
                 WHERE partial.company_id IN (
                           SELECT id FROM res_company WHERE parent_path LIKE %(family)s)
                 GROUP BY partial.debit_move_id
            ),
            items AS (
                SELECT partner.commercial_partner_id AS partner_id, aml.date_maturity,
                       aml.balance, aml.amount_residual, move.invoice_date,
                       aml.reconciled AND payment.paid_on IS NOT NULL
                           AND aml.date_maturity >= %(since)s AS is_paid,
                       NOT aml.reconciled AND aml.amount_residual > 0
                           AND aml.date_maturity < %(today)s AS is_overdue,
                       GREATEST(0, payment.paid_on - aml.date_maturity) AS days_late
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN res_partner partner ON partner.id = aml.partner_id
                  LEFT JOIN payments payment ON payment.line_id = aml.id
                 WHERE aml.company_id = %(company)s
                   AND aml.parent_state = 'posted'
                   AND aml.account_id = ANY(%(accounts)s)
                   AND (move.move_type = 'out_invoice'
                        OR move.cobranca_agreement_id IS NOT NULL)
                   AND aml.balance > 0
                   AND aml.date_maturity IS NOT NULL
            )
            SELECT partner_id,
                   COUNT(*) FILTER (WHERE is_paid),
                   AVG(days_late) FILTER (WHERE is_paid),
                   SUM(days_late * balance) FILTER (WHERE is_paid)
                       / NULLIF(SUM(balance) FILTER (WHERE is_paid), 0),
                   AVG((days_late > 0)::int) FILTER (WHERE is_paid),
                   SUM(amount_residual) FILTER (WHERE is_overdue),
                   MAX(%(today)s::date - date_maturity) FILTER (WHERE is_overdue),
                   SUM(balance) FILTER (WHERE invoice_date >= %(since)s),
                   %(today)s::date - MIN(invoice_date)
              FROM items
             GROUP BY partner_id
            """,
            company=company.id,
            family=f"{company.root_id.parent_path}%",
            accounts=accounts.ids,
            today=today,
            since=since,
        )

    @api.model
    def _write_scores(self, company, today, months, records):
        """Upsert the scores: the rows go to a temporary table with ``COPY`` (psycopg2
        turning 18 lists of 10,000 values into array literals took 0.26 s of CPU, and
        PostgreSQL 50-80 ms to parse them), then one ``INSERT ... ON CONFLICT`` on the
        unique (customer, company), safe under concurrent runs as before."""
        if not records:
            return
        columns = [
            "partner_id",
            *FIGURES,
            "monthly_volume",
            "score",
            "has_history",
            "penalty_delay",
            "penalty_late_share",
            "penalty_overdue",
            "computed_segment_id",
            "segment_id",
            "credit_policy_id",
        ]
        types = [
            "int4", "int4", "float8", "float8", "float8", "numeric", "int4", "numeric", "int4",
            "numeric", "float8", "bool", "float8", "float8", "float8", "int4", "int4", "int4",
        ]  # fmt: skip
        cr = self.env.cr
        # session-private, dropped below or at the end of the transaction if anything fails
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE cobranca_score_rows (%s) ON COMMIT DROP",
                SQL(", ").join(
                    SQL("%s %s", SQL.identifier(column), SQL(kind))
                    for column, kind in zip(columns, types, strict=True)
                ),
            )
        )
        # COPY does not work under an asynchronous wait callback (gevent): unset it
        # meanwhile, as Odoo does for its own COPY (BaseModel._ensure_xml_id)
        callback = psycopg2.extensions.get_wait_callback()
        psycopg2.extensions.set_wait_callback(None)
        try:
            cr.copy_expert("COPY cobranca_score_rows FROM STDIN", _copy_text(records))
        finally:
            psycopg2.extensions.set_wait_callback(callback)
        column_list = SQL(", ").join(SQL.identifier(column) for column in columns)
        updates = SQL(", ").join(
            SQL("%s = EXCLUDED.%s", SQL.identifier(column), SQL.identifier(column))
            for column in columns[1:]
        )
        cr.execute(
            SQL(
                """
                INSERT INTO cobranca_partner_score
                    (%(columns)s, company_id, date, window_months,
                     create_uid, create_date, write_uid, write_date)
                SELECT %(columns)s, %(company)s, %(today)s, %(months)s,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM cobranca_score_rows
                ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET %(updates)s, date = EXCLUDED.date,
                       window_months = EXCLUDED.window_months,
                       write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                """,
                columns=column_list,
                company=company.id,
                today=today,
                months=months,
                uid=self.env.uid,
                updates=updates,
            )
        )
        cr.execute(SQL("DROP TABLE cobranca_score_rows"))

    @api.model
    def _write_history(self, company, today, changes):
        """One history line per change of segment, with the figures behind it."""
        if not changes:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO cobranca_segment_history
                    (score_id, partner_id, company_id, date, kind, previous_segment_id,
                     segment_id, score, paid_count, avg_days_late, weighted_days_late,
                     late_share, open_overdue_amount, max_days_overdue, volume,
                     user_id, create_uid, create_date, write_uid, write_date)
                SELECT score.id, score.partner_id, score.company_id, %(today)s, 'automatic',
                       change.previous_segment_id, change.segment_id, score.score,
                       score.paid_count, score.avg_days_late, score.weighted_days_late,
                       score.late_share, score.open_overdue_amount, score.max_days_overdue,
                       score.volume, %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                       NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(partners)s::int4[], %(previous)s::int4[], %(new)s::int4[])
                       AS change(partner_id, previous_segment_id, segment_id)
                  JOIN cobranca_partner_score score
                    ON score.partner_id = change.partner_id AND score.company_id = %(company)s
                """,
                today=today,
                uid=self.env.uid,
                company=company.id,
                partners=[change[0] for change in changes],
                previous=[change[1] for change in changes],
                new=[change[2] for change in changes],
            )
        )

    # ------------------------------------------------------------------
    # Overrides by a manager
    # ------------------------------------------------------------------

    def _override(self, segment, reason):
        """Set the segment by hand (or give it back to the score with no segment),
        with the reason; logged in the history and on the customer."""
        if not self.env.user.has_group("cobranca_addon.group_cobranca_manager"):
            raise AccessError(self.env._("Only Cobrança managers may change a segment by hand."))
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the segment is changed by hand."))
        if not entrada.is_short_text(reason, entrada.MAX_REASON_LENGTH):
            raise UserError(
                self.env._(
                    "The reason has at most %(limit)s characters.", limit=entrada.MAX_REASON_LENGTH
                )
            )
        if not self.env.su and self.company_id - self.env.companies:
            raise AccessError(self.env._("You may set segments only in the companies you work in."))
        by_segment = {}
        for score in self.sudo():
            by_segment = by_segment or self._policy_by_segment(score.company_id)
            previous = score.segment_id
            new = segment or score.computed_segment_id
            score.write(
                {
                    "override_segment_id": segment.id if segment else False,
                    "override_reason": reason if segment else False,
                    "override_user_id": self.env.uid if segment else False,
                    "override_date": fields.Datetime.now() if segment else False,
                    "segment_id": new.id,
                    "credit_policy_id": by_segment.get(new.id, False),
                }
            )
            self.env["cobranca.segment.history"].sudo().create(
                {
                    "score_id": score.id,
                    "partner_id": score.partner_id.id,
                    "company_id": score.company_id.id,
                    "date": fields.Date.context_today(self),
                    "kind": "override" if segment else "override_removed",
                    "previous_segment_id": previous.id,
                    "segment_id": new.id,
                    "score": score.score,
                    "reason": reason,
                    "user_id": self.env.uid,
                    **{name: score[name] for name in FIGURES[:7]},
                }
            )
            score.partner_id._message_log(
                body=self.env._(
                    "Credit segment set to %(segment)s by hand: %(reason)s",
                    segment=new.name or "-",
                    reason=reason,
                )
            )

    @api.model
    def action_score_now(self):
        if not self.env.user.has_group("cobranca_addon.group_cobranca_manager"):
            raise AccessError(self.env._("Only Cobrança managers may run the scoring."))
        for company in self.env.companies:
            self.sudo()._score_company(company)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_partner_score_action"
        )


class CobrancaSegmentHistory(models.Model):
    """Append-only record of a customer's segment changes and why."""

    _name = "cobranca.segment.history"
    _description = "Customer Segment History"
    _order = "date desc, id desc"

    score_id = fields.Many2one(
        "cobranca.partner.score",
        string="Customer Score",
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(readonly=True)
    kind = fields.Selection(
        [
            ("automatic", "By score"),
            ("override", "By a manager"),
            ("override_removed", "Back to the score"),
        ],
        readonly=True,
    )
    previous_segment_id = fields.Many2one("cobranca.segment", string="From", readonly=True)
    segment_id = fields.Many2one("cobranca.segment", string="To", readonly=True)
    score = fields.Float(digits=(16, 1), readonly=True)
    paid_count = fields.Integer(string="Items Paid", readonly=True)
    avg_days_late = fields.Float(string="Average Days Late", digits=(16, 1), readonly=True)
    weighted_days_late = fields.Float(digits=(16, 1), readonly=True)
    late_share = fields.Float(string="Share Paid Late", digits=(16, 3), readonly=True)
    open_overdue_amount = fields.Monetary(string="Open Overdue", readonly=True)
    max_days_overdue = fields.Integer(string="Oldest Overdue (Days)", readonly=True)
    volume = fields.Monetary(string="Invoiced in the Window", readonly=True)
    reason = fields.Char(readonly=True)
    user_id = fields.Many2one("res.users", string="By", readonly=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The segment history is a record of decisions: it is kept."))

    def write(self, vals):
        if self:
            raise UserError(self.env._("The segment history is a record of decisions: it is kept."))
        return super().write(vals)

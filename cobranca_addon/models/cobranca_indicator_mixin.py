from odoo import models
from odoo.models import parse_read_group_spec
from odoo.tools import SQL


class CobrancaIndicatorMixin(models.AbstractModel):
    """What the indicator reports (SQL views) share: ratios that aggregate right,
    and who follows a customer.

    A ratio column (a share, a DSO) holds the row's own ratio; summed over a group
    of rows — a pivot cell, a graph bar, ``_read_group`` — it is the ratio of the
    sums of its numerator and denominator, never a sum or an average of ratios
    (as Odoo's vendor delay report does for its on-time rate).
    """

    _name = "cobranca.indicator.mixin"
    _inherit = ["cobranca.report.view"]
    _description = "Collection Indicator Report"

    #: ratio field -> (numerator field, denominator field, factor): aggregated as
    #: ``SUM(numerator) / SUM(denominator) * factor`` (NULL when the denominator is 0)
    _cobranca_ratios = {}

    def _read_group_select(self, aggregate_spec, query):
        fname, _property, func = parse_read_group_spec(aggregate_spec)
        if func == "sum" and fname in self._cobranca_ratios:
            numerator, denominator, factor = self._cobranca_ratios[fname]
            return SQL(
                "(%s)::float / NULLIF((%s)::float, 0) * %s",
                self._read_group_select(f"{numerator}:sum", query),
                self._read_group_select(f"{denominator}:sum", query),
                factor,
            )
        return super()._read_group_select(aggregate_spec, query)

    def _cobranca_collector_join(self, company, partner, alias="who"):
        """Joins giving ``<alias>.collector_id``: who follows the commercial partner
        ``partner`` in ``company`` (SQL expressions) today — their own collector in
        the company, else the collector of their régua (their own policy, else their
        credit policy's, else the company's), as the aging report and the collection
        run choose it. Plain joins, as the aging's, that the planner may hash."""
        name = alias

        def table(suffix):
            return SQL.identifier(f"{name}_{suffix}")

        return SQL(
            """
            LEFT JOIN res_partner %(partner_t)s ON %(partner_t)s.id = %(partner)s
            LEFT JOIN res_company %(company_t)s ON %(company_t)s.id = %(company)s
            LEFT JOIN cobranca_partner_score %(score_t)s
              ON %(score_t)s.partner_id = %(partner_t)s.id
             AND %(score_t)s.company_id = %(company_t)s.id
            LEFT JOIN cobranca_credit_policy %(credit_t)s
              ON %(credit_t)s.id = %(score_t)s.credit_policy_id AND %(credit_t)s.active
            LEFT JOIN cobranca_policy %(policy_t)s
              ON %(policy_t)s.id = COALESCE(
                     (%(partner_t)s.cobranca_policy_id ->> %(company_t)s.id::text)::int,
                     %(credit_t)s.regua_id,
                     %(company_t)s.cobranca_policy_id
                 )
            CROSS JOIN LATERAL (
                SELECT COALESCE(
                           (%(partner_t)s.cobranca_collector_id ->> %(company_t)s.id::text)::int,
                           %(policy_t)s.collector_id
                       ) AS collector_id
            ) %(alias)s
            """,
            partner=partner,
            company=company,
            partner_t=table("partner"),
            company_t=table("company"),
            score_t=table("score"),
            credit_t=table("credit"),
            policy_t=table("policy"),
            alias=SQL.identifier(alias),
        )

    @staticmethod
    def _cobranca_payment_counterpart(move_alias):
        """Whether the journal entry ``move_alias`` is a payment: a payment's entry
        or a bank statement line's. Only those recover money; a credit note or an
        agreement settling an item is not a payment."""
        move = SQL.identifier(move_alias)
        return SQL(
            "(%s.origin_payment_id IS NOT NULL OR %s.statement_line_id IS NOT NULL)", move, move
        )

    @staticmethod
    def _cobranca_today():
        """The current date of the database (UTC, as Odoo's server and the aging)."""
        return SQL("(NOW() AT TIME ZONE 'UTC')::date")

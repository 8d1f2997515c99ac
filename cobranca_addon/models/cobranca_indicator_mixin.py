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
        """``LEFT JOIN LATERAL`` giving ``<alias>.collector_id``: who follows the
        commercial partner ``partner`` in ``company`` (SQL expressions) today — their
        own collector in the company, else the collector of their régua (their own
        policy, else their credit policy's, else the company's), as the aging report
        and the collection run choose it."""
        return SQL(
            """
            LEFT JOIN LATERAL (
                SELECT COALESCE(
                           (commercial.cobranca_collector_id ->> company.id::text)::int,
                           policy.collector_id
                       ) AS collector_id
                  FROM res_partner commercial
                  JOIN res_company company ON company.id = %(company)s
                  LEFT JOIN cobranca_partner_score score
                    ON score.partner_id = commercial.id AND score.company_id = company.id
                  LEFT JOIN cobranca_credit_policy credit
                    ON credit.id = score.credit_policy_id AND credit.active
                  LEFT JOIN cobranca_policy policy
                    ON policy.id = COALESCE(
                           (commercial.cobranca_policy_id ->> company.id::text)::int,
                           credit.regua_id,
                           company.cobranca_policy_id
                       )
                 WHERE commercial.id = %(partner)s
            ) %(alias)s ON TRUE
            """,
            company=company,
            partner=partner,
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

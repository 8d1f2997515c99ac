from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

WORK_KINDS = [
    ("task", "Collector's task"),
    ("promise", "Promise falling due"),
    ("agreement", "Broken agreement"),
    ("escalation", "Escalation to carry out"),
]

#: The id of a row is its source record's id times this plus the kind's rank.
KIND_RANK = {kind: rank for rank, (kind, _label) in enumerate(WORK_KINDS)}


class CobrancaWorkItem(models.Model):
    """The collector's work queue: what needs a collector today.

    A SQL view over the module's own records: the collection tasks due today or
    late (calls, WhatsApp), the promises to pay falling due (today, tomorrow or
    past, still open), the broken agreements with something left to pay, and
    the escalations with items to carry out. Each row says how much is at stake
    and how old the customer's oldest overdue item is; the outcome of the
    contact is logged in one click.
    """

    _name = "cobranca.work.item"
    _description = "Collector's Work Queue"
    _auto = False
    _order = "amount desc, days_late desc, id"
    _rec_name = "partner_id"
    #: what the view reads: flushed before it is queried
    _depends = {
        "account.move.line": [
            "account_id", "parent_state", "reconciled", "amount_residual", "date_maturity",
            "partner_id", "company_id",
        ],
        "res.partner": ["commercial_partner_id"],
        "mail.activity": ["cobranca_message_id", "user_id", "summary", "date_deadline"],
        "cobranca.message": ["company_id", "partner_id", "amount_residual"],
        "cobranca.negotiation": [
            "company_id", "partner_id", "user_id", "outcome", "state", "promise_date",
            "promise_amount",
        ],
        "cobranca.agreement": [
            "company_id", "partner_id", "user_id", "name", "state", "date_closed",
            "amount_residual",
        ],
        "cobranca.escalation": ["company_id", "partner_id", "user_id", "name", "date", "amount"],
        "cobranca.escalation.item": ["escalation_id", "state"],
    }  # fmt: skip

    kind = fields.Selection(WORK_KINDS, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    name = fields.Char(string="What", readonly=True)
    date = fields.Date(string="Due", readonly=True, help="When it is due (task, promise).")
    amount = fields.Monetary(string="At Stake", readonly=True)
    oldest_due = fields.Date(string="Oldest Overdue Item", readonly=True)
    days_late = fields.Integer(
        readonly=True, help="Days since the customer's oldest open overdue item fell due."
    )
    res_model = fields.Char(readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                WITH company_day AS (
                    -- "today" of each company, in its timezone (the run's day), not
                    -- the database's UTC date
                    SELECT company.id AS company_id,
                           (NOW() AT TIME ZONE COALESCE(
                                company.cobranca_tz, company_partner.tz, 'America/Sao_Paulo'
                           ))::date AS today
                      FROM res_company company
                      JOIN res_partner company_partner ON company_partner.id = company.partner_id
                ),
                overdue AS (
                    SELECT aml.company_id, partner.commercial_partner_id AS partner_id,
                           MIN(aml.date_maturity) AS oldest_due
                      FROM account_move_line aml
                      JOIN account_account account ON account.id = aml.account_id
                      JOIN res_partner partner ON partner.id = aml.partner_id
                      JOIN company_day ON company_day.company_id = aml.company_id
                     WHERE account.account_type = 'asset_receivable'
                       AND aml.parent_state = 'posted'
                       AND aml.reconciled IS NOT TRUE
                       AND aml.amount_residual > 0
                       AND aml.date_maturity < company_day.today
                     GROUP BY aml.company_id, partner.commercial_partner_id
                ),
                work AS (
                    SELECT message.id * 4 + %(task)s AS id, 'task' AS kind,
                           message.company_id, message.partner_id, activity.user_id,
                           activity.summary AS name, activity.date_deadline AS date,
                           message.amount_residual AS amount,
                           'cobranca.message' AS res_model, message.id AS res_id
                      FROM mail_activity activity
                      JOIN cobranca_message message ON message.id = activity.cobranca_message_id
                      JOIN company_day ON company_day.company_id = message.company_id
                     WHERE activity.date_deadline <= company_day.today
                    UNION ALL
                    SELECT negotiation.id * 4 + %(promise)s, 'promise',
                           negotiation.company_id, negotiation.partner_id, negotiation.user_id,
                           NULL, negotiation.promise_date, negotiation.promise_amount,
                           'cobranca.negotiation', negotiation.id
                      FROM cobranca_negotiation negotiation
                      JOIN company_day ON company_day.company_id = negotiation.company_id
                     WHERE negotiation.outcome = 'promise' AND negotiation.state = 'open'
                       AND negotiation.promise_date <= company_day.today + 1
                    UNION ALL
                    SELECT agreement.id * 4 + %(agreement)s, 'agreement',
                           agreement.company_id, agreement.partner_id, agreement.user_id,
                           agreement.name, agreement.date_closed, agreement.amount_residual,
                           'cobranca.agreement', agreement.id
                      FROM cobranca_agreement agreement
                     WHERE agreement.state = 'broken' AND agreement.amount_residual > 0
                    UNION ALL
                    SELECT escalation.id * 4 + %(escalation)s, 'escalation',
                           escalation.company_id, escalation.partner_id, escalation.user_id,
                           escalation.name, escalation.date, escalation.amount,
                           'cobranca.escalation', escalation.id
                      FROM cobranca_escalation escalation
                     WHERE EXISTS (SELECT 1 FROM cobranca_escalation_item item
                                    WHERE item.escalation_id = escalation.id
                                      AND item.state = 'todo')
                )
                SELECT work.*, overdue.oldest_due,
                       COALESCE(company_day.today - overdue.oldest_due, 0) AS days_late
                  FROM work
                  JOIN company_day ON company_day.company_id = work.company_id
                  LEFT JOIN overdue
                    ON overdue.company_id = work.company_id
                   AND overdue.partner_id = work.partner_id
                )
                """,
                table=SQL.identifier(self._table),
                **{kind: rank for kind, rank in KIND_RANK.items()},
            )
        )

    @api.depends("kind", "name", "partner_id")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for item in self:
            item.display_name = f"{labels.get(item.kind, '')} – {item.partner_id.name or ''}"

    def _source(self):
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record:
            raise UserError(self.env._("This item is no longer in the work queue."))
        return record

    def action_open(self):
        record = self._source()
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
        }

    def action_log_outcome(self):
        """Log what came of the contact: for a task, completing it; else a contact
        about the items concerned."""
        record = self._source()
        Negotiation = self.env["cobranca.negotiation"]
        if self.kind == "task":
            return record.action_cobranca_log_contact()
        if self.kind == "promise":
            return Negotiation._action_log(record.partner_id, record.move_ids)
        if self.kind == "agreement":
            return Negotiation._action_log(record.partner_id, record.move_id)
        return Negotiation._action_log(record.partner_id, record.item_ids.move_id)

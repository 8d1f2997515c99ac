from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cobranca_policy_id = fields.Many2one(related="company_id.cobranca_policy_id", readonly=False)
    cobranca_tz = fields.Selection(related="company_id.cobranca_tz", readonly=False)
    cobranca_weekday_start = fields.Float(
        related="company_id.cobranca_weekday_start", readonly=False
    )
    cobranca_weekday_end = fields.Float(related="company_id.cobranca_weekday_end", readonly=False)
    cobranca_saturday = fields.Boolean(related="company_id.cobranca_saturday", readonly=False)
    cobranca_saturday_start = fields.Float(
        related="company_id.cobranca_saturday_start", readonly=False
    )
    cobranca_saturday_end = fields.Float(related="company_id.cobranca_saturday_end", readonly=False)
    cobranca_sunday = fields.Boolean(related="company_id.cobranca_sunday", readonly=False)
    cobranca_sunday_start = fields.Float(related="company_id.cobranca_sunday_start", readonly=False)
    cobranca_sunday_end = fields.Float(related="company_id.cobranca_sunday_end", readonly=False)
    cobranca_weekly_cap = fields.Integer(related="company_id.cobranca_weekly_cap", readonly=False)
    cobranca_notice_days = fields.Integer(related="company_id.cobranca_notice_days", readonly=False)
    cobranca_withdrawal_days = fields.Integer(
        related="company_id.cobranca_withdrawal_days", readonly=False
    )
    cobranca_forbidden_expressions = fields.Text(
        string="Forbidden Expressions",
        compute="_compute_cobranca_forbidden_expressions",
        inverse="_inverse_cobranca_forbidden_expressions",
        readonly=False,
    )
    cobranca_credit_policy_id = fields.Many2one(
        related="company_id.cobranca_credit_policy_id", readonly=False
    )
    cobranca_scoring_months = fields.Integer(
        string="Scoring Window (Months)",
        config_parameter="cobranca_addon.scoring_months",
        default=12,
    )
    cobranca_promise_grace_days = fields.Integer(
        related="company_id.cobranca_promise_grace_days", readonly=False
    )
    cobranca_fine_percent = fields.Float(related="company_id.cobranca_fine_percent", readonly=False)
    cobranca_interest_percent = fields.Float(
        related="company_id.cobranca_interest_percent", readonly=False
    )
    cobranca_interest_basis = fields.Selection(
        related="company_id.cobranca_interest_basis", readonly=False
    )
    cobranca_interest_compound = fields.Boolean(
        related="company_id.cobranca_interest_compound", readonly=False
    )
    cobranca_interest_index_id = fields.Many2one(
        related="company_id.cobranca_interest_index_id", readonly=False
    )
    cobranca_correction_index_id = fields.Many2one(
        related="company_id.cobranca_correction_index_id", readonly=False
    )
    cobranca_charges_grace_days = fields.Integer(
        related="company_id.cobranca_charges_grace_days", readonly=False
    )
    cobranca_agreement_journal_id = fields.Many2one(
        related="company_id.cobranca_agreement_journal_id", readonly=False
    )
    cobranca_charges_account_id = fields.Many2one(
        related="company_id.cobranca_charges_account_id", readonly=False
    )
    cobranca_discount_account_id = fields.Many2one(
        related="company_id.cobranca_discount_account_id", readonly=False
    )
    cobranca_discount_limit_user = fields.Float(
        related="company_id.cobranca_discount_limit_user", readonly=False
    )
    cobranca_discount_limit_manager = fields.Float(
        related="company_id.cobranca_discount_limit_manager", readonly=False
    )
    cobranca_agreement_max_instalments = fields.Integer(
        related="company_id.cobranca_agreement_max_instalments", readonly=False
    )
    cobranca_agreement_monthly_rate = fields.Float(
        related="company_id.cobranca_agreement_monthly_rate", readonly=False
    )
    cobranca_agreement_offer_days = fields.Integer(
        related="company_id.cobranca_agreement_offer_days", readonly=False
    )
    cobranca_agreement_tolerance_days = fields.Integer(
        related="company_id.cobranca_agreement_tolerance_days", readonly=False
    )
    cobranca_ar_ack_days = fields.Integer(related="company_id.cobranca_ar_ack_days", readonly=False)
    cobranca_evidence_retention_days = fields.Integer(
        related="company_id.cobranca_evidence_retention_days", readonly=False
    )
    cobranca_lgpd_retention_years = fields.Integer(
        related="company_id.cobranca_lgpd_retention_years", readonly=False
    )
    cobranca_credit_hold_enabled = fields.Boolean(
        related="company_id.cobranca_credit_hold_enabled", readonly=False
    )
    cobranca_scoring_per_day_late = fields.Float(
        string="Points per Day Late",
        config_parameter="cobranca_addon.scoring_per_day_late",
        default=1.5,
    )
    cobranca_scoring_max_delay = fields.Float(
        string="Most Points for Delays",
        config_parameter="cobranca_addon.scoring_max_delay",
        default=60.0,
    )
    cobranca_scoring_late_share = fields.Float(
        string="Points for Paying Everything Late",
        config_parameter="cobranca_addon.scoring_late_share",
        default=30.0,
    )
    cobranca_scoring_per_day_overdue = fields.Float(
        string="Points per Day of the Oldest Overdue Item",
        config_parameter="cobranca_addon.scoring_per_day_overdue",
        default=1.5,
    )
    cobranca_scoring_max_overdue = fields.Float(
        string="Most Points for Overdue Items",
        config_parameter="cobranca_addon.scoring_max_overdue",
        default=60.0,
    )
    cobranca_batch_size = fields.Integer(
        string="Customers per Batch",
        config_parameter="cobranca_addon.batch_size",
        default=50,
        help="How many customers a scheduled run dispatches before committing and "
        "handing over to the next batch (possibly on another worker).",
    )
    cobranca_batch_line_budget = fields.Integer(
        string="Lines per Batch",
        config_parameter="cobranca_addon.batch_line_budget",
        default=1000,
        help="At most this many dunning lines in one batch (a customer with more "
        "makes a batch of its own): a batch's memory and time follow its lines.",
    )

    cobranca_effectiveness_days = fields.Integer(
        related="company_id.cobranca_effectiveness_days", readonly=False
    )

    def _compute_cobranca_forbidden_expressions(self):
        expressions = "\n".join(self.env["cobranca.template.guard"]._forbidden_expressions())
        for settings in self:
            settings.cobranca_forbidden_expressions = expressions

    def _inverse_cobranca_forbidden_expressions(self):
        for settings in self:
            self.env["ir.config_parameter"].sudo().set_param(
                "cobranca_addon.forbidden_expressions",
                settings.cobranca_forbidden_expressions or "",
            )

from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: Channels a level may use, in the order a run tries them, with the field that
#: switches each on. Later channels (SMS, letter, AR-tracked e-mail) are added by
#: extending :meth:`CobrancaLevel._cobranca_channels` and the selection of
#: ``cobranca.message.channel``.
CHANNEL_FIELDS = (
    ("email", "channel_email"),
    ("phone", "channel_phone"),
)


class CobrancaLevel(models.Model):
    """One step of a régua: when (days from the due date) and how (channels)."""

    _name = "cobranca.level"
    _description = "Collection Level"
    _order = "policy_id, days, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "cobranca.policy",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="policy_id.company_id", store=True, index=True, precompute=True
    )
    sequence = fields.Integer(
        default=10,
        help="Breaks ties in the display order; the régua itself follows the days.",
    )
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    days = fields.Integer(
        required=True,
        help="Days relative to the due date: -3 is three days before it, 0 the due "
        "date, 7 a week after it.",
    )
    channel_email = fields.Boolean(string="E-mail", default=True)
    channel_phone = fields.Boolean(
        string="Phone Task",
        help="Creates a phone-call activity for the customer's collector listing the open items.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "cobranca.message")],
        ondelete="restrict",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Task Type",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
        ondelete="set null",
    )
    tolerance_amount = fields.Float(
        string="Tolerance",
        digits="Account",
        help="Items whose open amount (in the company currency) is below this "
        "amount are not reminded at this level.",
    )
    is_pre_due = fields.Boolean(
        string="Before Due Date",
        compute="_compute_is_pre_due",
        store=True,
    )
    channel_summary = fields.Char(string="Channels", compute="_compute_channel_summary")
    line_count = fields.Integer(compute="_compute_line_count", string="Dunning Lines")

    _sql_constraints = [
        (
            "days_policy_unique",
            "UNIQUE(policy_id, days)",
            "Two levels of a policy cannot fall on the same day.",
        ),
    ]

    @api.depends("days")
    def _compute_is_pre_due(self):
        for level in self:
            level.is_pre_due = level.days <= 0

    @api.depends(*(field for _code, field in CHANNEL_FIELDS))
    def _compute_channel_summary(self):
        labels = dict(
            self.env["cobranca.message"]._fields["channel"]._description_selection(self.env)
        )
        for level in self:
            level.channel_summary = ", ".join(labels[code] for code in level._cobranca_channels())

    def _compute_line_count(self):
        counts = dict(
            self.env["cobranca.line"]._read_group(
                [("level_id", "in", self.ids)], ["level_id"], ["__count"]
            )
        )
        for level in self:
            level.line_count = counts.get(level, 0)

    @api.constrains(*(field for _code, field in CHANNEL_FIELDS), "mail_template_id")
    def _check_channels(self):
        for level in self:
            if not level._cobranca_channels():
                raise ValidationError(
                    self.env._(
                        "The level %(level)s must use at least one channel.",
                        level=level.display_name,
                    )
                )
            if level.channel_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "The level %(level)s sends e-mails: choose its e-mail template.",
                        level=level.display_name,
                    )
                )

    @api.depends("policy_id.name", "name", "days")
    def _compute_display_name(self):
        for level in self:
            level.display_name = f"{level.name} (D{level.days:+d})"

    def _cobranca_channels(self):
        """Codes of the channels this level uses, in the order a run tries them."""
        self.ensure_one()
        return [code for code, field in self._cobranca_channel_fields() if self[field]]

    @api.model
    def _cobranca_channel_fields(self):
        """Hook: ``(channel code, boolean field)`` of every channel, in run order."""
        return list(CHANNEL_FIELDS)

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_line_action"
        )
        action["domain"] = [("level_id", "=", self.id)]
        action["context"] = {}
        return action

from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: Channels a level may use, in the order a run tries them, with the field that
#: switches each on. A channel that cannot reach a customer hands its items to
#: the next channel of the level, and in the end to a phone task (the last one,
#: always possible). Further channels extend
#: :meth:`CobrancaLevel._cobranca_channel_fields` and ``cobranca.message.channel``.
CHANNEL_FIELDS = (
    ("email", "channel_email"),
    ("ar_email", "channel_ar_email"),
    ("sms", "channel_sms"),
    ("whatsapp", "channel_whatsapp"),
    ("letter", "channel_letter"),
    ("phone", "channel_phone"),
)

ESCALATIONS = [
    ("protesto", "Protesto"),
    ("negativacao", "Negativação"),
    ("acao_judicial", "Ação judicial"),
]


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
    channel_ar_email = fields.Boolean(
        string="AR-tracked E-mail",
        help="An e-mail with proof (e-mail com AR): the exact bytes sent and their "
        "SHA-256, the server's acceptance, the delivery or bounce, the opening and the "
        "customer's acknowledgement, in a tamper-evident chain, with a laudo técnico. "
        "It uses the level's e-mail template; unacknowledged after the days of the "
        "Settings, or bounced, the customer goes to the level's next channel.",
    )
    channel_sms = fields.Boolean(
        string="SMS",
        help="A short text with the amount, the due date and the payment link, sent "
        "through Odoo's SMS service to the customer's mobile.",
    )
    channel_whatsapp = fields.Boolean(
        string="WhatsApp",
        help="A task for the collector with a click-to-chat link and the message "
        "ready to send from their WhatsApp.",
    )
    channel_letter = fields.Boolean(
        string="Letter",
        help="A collection letter (PDF) to print and post, or sent through Odoo's "
        "postal service (snailmail) when that module is installed.",
    )
    channel_phone = fields.Boolean(
        string="Phone Task",
        help="Creates a phone-call activity for the customer's collector listing the open items.",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain=[("model", "=", "cobranca.message")],
        default=lambda self: self.env.ref(
            "cobranca_addon.sms_template_cobranca_reminder", raise_if_not_found=False
        ),
        ondelete="restrict",
    )
    whatsapp_template_id = fields.Many2one(
        "sms.template",
        string="WhatsApp Text",
        domain=[("model", "=", "cobranca.message")],
        default=lambda self: self.env.ref(
            "cobranca_addon.sms_template_cobranca_whatsapp", raise_if_not_found=False
        ),
        ondelete="restrict",
        help="The message prefilled in the collector's WhatsApp.",
    )
    letter_snailmail = fields.Boolean(
        string="Post by Snailmail",
        help="Send the letter through Odoo's postal service (module snailmail, paid "
        "per letter) instead of the queue of letters to print.",
    )
    escalation = fields.Selection(
        ESCALATIONS,
        help="An escalation is a tracked step, not a message: each customer reaching "
        "this level gets an escalation record (protesto, negativação, lawsuit) with "
        "its items, for a responsible to carry out.",
    )
    is_notice = fields.Boolean(
        string="Prior Written Notice",
        help="Messages of this level are the written notice the customer must receive "
        "before a negativação (CDC art. 43 §2).",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "cobranca.message")],
        ondelete="restrict",
    )
    attach_statement = fields.Boolean(
        string="Attach the Customer Statement",
        help="The e-mails of this level (e-mail and AR-tracked e-mail) carry the customer "
        "statement (PDF): the open items with their updated values and how to pay. It is "
        "rendered when the e-mail leaves, with the values of that moment.",
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

    @api.constrains(
        *(field for _code, field in CHANNEL_FIELDS),
        "mail_template_id",
        "sms_template_id",
        "whatsapp_template_id",
        "escalation",
        "letter_snailmail",
    )
    def _check_channels(self):
        for level in self:
            if not level._cobranca_channels() and not level.escalation:
                raise ValidationError(
                    self.env._(
                        "The level %(level)s must use at least one channel or be an escalation.",
                        level=level.display_name,
                    )
                )
            missing = [
                label
                for wanted, template, label in (
                    (level.channel_email, level.mail_template_id, self.env._("e-mail")),
                    (
                        level.channel_ar_email,
                        level.mail_template_id,
                        self.env._("AR-tracked e-mail"),
                    ),
                    (level.channel_sms, level._text_template("sms"), self.env._("SMS")),
                    (
                        level.channel_whatsapp,
                        level._text_template("whatsapp"),
                        self.env._("WhatsApp"),
                    ),
                )
                if wanted and not template
            ]
            if missing:
                raise ValidationError(
                    self.env._(
                        "The level %(level)s needs a template for: %(channels)s.",
                        level=level.display_name,
                        channels=", ".join(missing),
                    )
                )
            if level.letter_snailmail and "snailmail.letter" not in self.env:
                raise ValidationError(
                    self.env._(
                        "Posting letters by snailmail needs Odoo's Snailmail module: "
                        "install it first."
                    )
                )
            level._check_templates_guardrails()

    def _check_templates_guardrails(self):
        """The level's templates identify the creditor and threaten nobody."""
        self.ensure_one()
        guard = self.env["cobranca.template.guard"]
        if self.mail_template_id:
            guard._check_mail_template(self.mail_template_id)
        for template in self.sms_template_id | self.whatsapp_template_id:
            guard._check_text_template(template)

    #: Shipped text templates, used when a level has none of its own.
    DEFAULT_TEXT_TEMPLATES = {
        "sms": ("sms_template_id", "cobranca_addon.sms_template_cobranca_reminder"),
        "whatsapp": ("whatsapp_template_id", "cobranca_addon.sms_template_cobranca_whatsapp"),
    }

    def _text_template(self, channel):
        """The level's SMS or WhatsApp template, else the shipped one."""
        self.ensure_one()
        field, xmlid = self.DEFAULT_TEXT_TEMPLATES[channel]
        return self[field] or self.env.ref(xmlid, raise_if_not_found=False)

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

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import regua


class CobrancaPolicy(models.Model):
    """A régua de cobrança: the schedule of reminders around a due date."""

    _name = "cobranca.policy"
    _description = "Collection Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share the policy between all companies.",
    )
    level_ids = fields.One2many(
        "cobranca.level",
        "policy_id",
        string="Levels",
        copy=True,
        context={"active_test": False},
    )
    level_count = fields.Integer(string="Number of Levels", compute="_compute_level_count")
    min_interval_days = fields.Integer(
        string="Minimum Days Between Reminders",
        default=3,
        required=True,
        tracking=True,
        help="A customer is not reminded again before this many days have passed "
        "since their last reminder, whatever the level.",
    )
    collector_id = fields.Many2one(
        "res.users",
        string="Default Collector",
        tracking=True,
        help="Receives the phone tasks of customers who have no collector of their own.",
    )
    note = fields.Html(string="Description", translate=True)
    thank_you = fields.Boolean(
        string="Thank Customers Who Pay",
        help="After reminded items are paid, the customer gets one thank-you e-mail.",
    )
    thank_you_template_id = fields.Many2one(
        "mail.template",
        string="Thank-you Template",
        domain=[("model", "=", "cobranca.message")],
        default=lambda self: self.env.ref(
            "cobranca_addon.mail_template_cobranca_thanks", raise_if_not_found=False
        ),
        ondelete="restrict",
    )

    _sql_constraints = [
        (
            "min_interval_days_positive",
            "CHECK(min_interval_days >= 1)",
            "The minimum interval between reminders must be at least one day, so "
            "that a customer never gets two reminders the same day.",
        ),
    ]

    @api.constrains("thank_you", "thank_you_template_id")
    def _check_thank_you(self):
        for policy in self:
            if policy.thank_you and not policy._thank_you_template():
                raise ValidationError(self.env._("Choose the template of the thank-you e-mail."))

    def _thank_you_template(self):
        self.ensure_one()
        return self.thank_you_template_id or self.env.ref(
            "cobranca_addon.mail_template_cobranca_thanks", raise_if_not_found=False
        )

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    def _regua_steps(self):
        """The active levels as :class:`~..tools.regua.Step`, for the pure rules."""
        self.ensure_one()
        return [regua.Step(level.id, level.days) for level in self.level_ids if level.active]

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "name" not in (default or {}):
            for policy, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%(name)s (copy)", name=policy.name)
        return vals_list

    def action_open_levels(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_level_action"
        )
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"default_policy_id": self.id}
        return action

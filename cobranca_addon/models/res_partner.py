from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

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

from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    cobranca_policy_id = fields.Many2one(
        "cobranca.policy",
        string="Default Collection Policy",
        check_company=True,
        default=lambda self: self.env.ref(
            "cobranca_addon.cobranca_policy_default", raise_if_not_found=False
        ),
        help="The régua applied to customers who have no policy of their own.",
    )

    @api.model
    def _cobranca_set_default_policy(self):
        """Give the standard régua to companies that have no policy yet."""
        policy = self.env.ref("cobranca_addon.cobranca_policy_default", raise_if_not_found=False)
        if policy:
            self.search([("cobranca_policy_id", "=", False)]).write(
                {"cobranca_policy_id": policy.id}
            )

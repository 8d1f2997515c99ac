from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    cobranca_message_id = fields.Many2one(
        "cobranca.message",
        string="Collection Message",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )

    def _action_done(self, feedback=False, attachment_ids=None):
        """A collector who completes a collection call marks its message done."""
        messages = self.cobranca_message_id
        if messages:
            messages.sudo().write({"date_done": fields.Datetime.now()})
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

from odoo import api, fields, models

#: The channel of the contact logged from a collector's task.
TASK_CHANNELS = {"phone": "phone", "whatsapp": "whatsapp"}


class MailActivity(models.Model):
    _inherit = "mail.activity"

    cobranca_message_id = fields.Many2one(
        "cobranca.message",
        string="Collection Message",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
    cobranca_asks_outcome = fields.Boolean(
        string="Asks for the Outcome",
        compute="_compute_cobranca_asks_outcome",
        help="Completing this collection task asks for the outcome of the contact.",
    )

    @api.depends("cobranca_message_id")
    def _compute_cobranca_asks_outcome(self):
        for activity in self:
            activity.cobranca_asks_outcome = bool(activity.cobranca_message_id)

    def _action_done(self, feedback=False, attachment_ids=None):
        """A collector who completes a collection call marks its message done."""
        messages = self.cobranca_message_id
        if messages:
            messages.sudo().write({"date_done": fields.Datetime.now()})
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def action_cobranca_log_outcome(self, feedback=False):
        """Completing a collection task: the dialog asking what came of the contact
        (saving it marks the task done, with the outcome as feedback)."""
        self.ensure_one()
        message = self.cobranca_message_id
        action = self.env["cobranca.negotiation"]._action_log(
            message.partner_id,
            message.line_ids.move_id,
            message=message,
            activity=self,
            channel=TASK_CHANNELS.get(message.channel, "phone"),
        )
        if feedback:
            action["context"]["default_note"] = feedback
        return action

    def action_feedback_schedule_next(self, feedback=False, attachment_ids=None):
        """ "Done & Schedule Next" on a collection task asks for the outcome first."""
        if len(self) == 1 and self.cobranca_message_id:
            return self.action_cobranca_log_outcome(feedback=feedback)
        return super().action_feedback_schedule_next(
            feedback=feedback, attachment_ids=attachment_ids
        )

from odoo import models

#: Letter states snailmail's queue may still post.
POSTABLE_STATES = ("pending", "error")


class SnailmailLetter(models.Model):
    _inherit = "snailmail.letter"

    def _snailmail_print(self, immediate=True):
        """Check collection letters once more at the moment they are posted.

        Snailmail's queue posts its letters up to an hour after the run queued
        them: a letter whose items were all paid or excluded meanwhile is
        cancelled instead (found by the fault suite: the message was marked
        cancelled, its letter still posted); one whose items changed is printed
        with the current amounts (the report renders the message as it is now).
        """
        reminders = self.filtered(
            lambda letter: letter.model == "cobranca.message" and letter.state in POSTABLE_STATES
        )
        obsolete = self.browse()
        if reminders:
            messages = (
                self.env["cobranca.message"].sudo().browse(reminders.mapped("res_id")).exists()
            )
            cancelled, _changed = messages._refresh_before_sending()
            obsolete = reminders.filtered(lambda letter: letter.res_id in cancelled.ids)
            obsolete.cancel()
        return super(SnailmailLetter, self - obsolete)._snailmail_print(immediate=immediate)

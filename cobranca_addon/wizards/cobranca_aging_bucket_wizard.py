from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

from ..models.cobranca_aging_bucket import DEFER_CHECK
from ..tools import aging


class CobrancaAgingBucketWizard(models.TransientModel):
    """Edit all the aging buckets of a company at once.

    Moving a limit changes two buckets (one ends earlier, the next starts
    earlier), so the buckets are checked together, once, when all the changes are
    made, and saved only when every day count is in exactly one bucket.
    """

    _name = "cobranca.aging.bucket.wizard"
    _description = "Edit Aging Buckets"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    line_ids = fields.One2many(
        "cobranca.aging.bucket.wizard.line",
        "wizard_id",
        string="Buckets",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )

    @api.depends("company_id")
    def _compute_line_ids(self):
        for wizard in self:
            buckets = self.env["cobranca.aging.bucket"].search(
                [("company_id", "=", wizard.company_id.id)]
            )
            wizard.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        "bucket_id": bucket.id,
                        "sequence": bucket.sequence,
                        "name": bucket.name,
                        "no_min": bucket.no_min,
                        "min_days": bucket.min_days,
                        "no_max": bucket.no_max,
                        "max_days": bucket.max_days,
                    }
                )
                for bucket in buckets
            ]

    def action_apply(self):
        """Save the buckets, if together they put every day count in one bucket.

        :raise ValidationError: saying which buckets overlap or what is not covered
        """
        self.ensure_one()
        Bucket = self.env["cobranca.aging.bucket"]
        problems = aging.problems(line._as_range() for line in self.line_ids)
        if problems:
            raise ValidationError(
                "\n".join(Bucket._problem_message(self.company_id, problem) for problem in problems)
            )
        Bucket = Bucket.with_context(**{DEFER_CHECK: True})
        existing = Bucket.search([("company_id", "=", self.company_id.id)])
        (existing - self.line_ids.bucket_id).unlink()
        for position, line in enumerate(self.line_ids.sorted("sequence"), start=1):
            values = {
                "sequence": position * 10,
                "name": line.name,
                "no_min": line.no_min,
                "min_days": 0 if line.no_min else line.min_days,
                "no_max": line.no_max,
                "max_days": 0 if line.no_max else line.max_days,
            }
            if line.bucket_id:
                line.bucket_id.with_context(**{DEFER_CHECK: True}).write(values)
            else:
                Bucket.create({**values, "company_id": self.company_id.id})
        Bucket._check_company_buckets(self.company_id)
        return {"type": "ir.actions.act_window_close"}


class CobrancaAgingBucketWizardLine(models.TransientModel):
    _name = "cobranca.aging.bucket.wizard.line"
    _description = "Aging Bucket to Edit"
    _order = "sequence, id"

    wizard_id = fields.Many2one("cobranca.aging.bucket.wizard", required=True, ondelete="cascade")
    bucket_id = fields.Many2one("cobranca.aging.bucket", ondelete="cascade")
    sequence = fields.Integer(default=100)
    name = fields.Char(required=True)
    no_min = fields.Boolean(string="No Lower Limit")
    min_days = fields.Integer(string="From (Days Late)")
    no_max = fields.Boolean(string="No Upper Limit")
    max_days = fields.Integer(string="To (Days Late)")

    def _as_range(self):
        self.ensure_one()
        return aging.Bucket(
            self.id,
            self.name,
            None if self.no_min else self.min_days,
            None if self.no_max else self.max_days,
        )

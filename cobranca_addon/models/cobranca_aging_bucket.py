from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from ..tools import aging

_lt = LazyTranslate(__name__)

#: The buckets every company starts with: (name, from, to), ``None`` for no limit.
DEFAULT_BUCKETS = (
    (_lt("Not due"), None, 0),
    (_lt("1-30"), 1, 30),
    (_lt("31-60"), 31, 60),
    (_lt("61-90"), 61, 90),
    (_lt("91-180"), 91, 180),
    (_lt("Over 180"), 181, None),
)

#: Context key under which bucket changes are checked by the caller, once, when all
#: of them are made (see the bucket editor): moving a limit changes two buckets.
DEFER_CHECK = "cobranca_aging_bucket_defer_check"


class CobrancaAgingBucket(models.Model):
    """A range of days late (today minus the due date) of the aging report.

    The buckets of a company put every day count in exactly one bucket: the first
    has no lower limit (not due yet), the last no upper limit.
    """

    _name = "cobranca.aging.bucket"
    _description = "Aging Bucket (Cobrança)"
    _order = "sequence, min_days, company_id, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    no_min = fields.Boolean(
        string="No Lower Limit", help="Every day count up to the upper limit, not due items too."
    )
    min_days = fields.Integer(string="From (Days Late)")
    no_max = fields.Boolean(
        string="No Upper Limit", help="Open-ended: every day count from the lower limit on."
    )
    max_days = fields.Integer(string="To (Days Late)")
    range_label = fields.Char(string="Days Late", compute="_compute_range_label")

    @api.depends("no_min", "min_days", "no_max", "max_days")
    def _compute_range_label(self):
        for bucket in self:
            bucket.range_label = bucket._range_label()

    def _range_label(self):
        self.ensure_one()
        if self.no_min and self.no_max:
            return self.env._("any")
        if self.no_min:
            return self.env._("%(days)s or fewer", days=self.max_days)
        if self.no_max:
            return self.env._("%(days)s or more", days=self.min_days)
        return self.env._("%(start)s to %(end)s", start=self.min_days, end=self.max_days)

    @api.constrains("no_min", "min_days", "no_max", "max_days", "company_id")
    def _check_coverage(self):
        if not self.env.context.get(DEFER_CHECK):
            self._check_company_buckets(self.company_id)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_uncovered(self):
        if self.env.context.get(DEFER_CHECK):
            return
        for company in self.company_id:
            remaining = self.sudo().search([("company_id", "=", company.id)]) - self
            problems = aging.problems(remaining._as_ranges())
            if problems:
                raise UserError(
                    self.env._(
                        "Deleting this bucket would leave day counts without a bucket in "
                        "%(company)s: %(problem)s Change the limits with Edit Buckets instead.",
                        company=company.name,
                        problem=self._problem_message(company, problems[0]),
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_edit_buckets(self):
        """The editor of the current company's buckets, all of them at once."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranca_addon.cobranca_aging_bucket_wizard_action"
        )
        action["context"] = {"default_company_id": self.env.company.id}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _as_ranges(self):
        return [
            aging.Bucket(
                bucket.id,
                bucket.name,
                None if bucket.no_min else bucket.min_days,
                None if bucket.no_max else bucket.max_days,
            )
            for bucket in self
        ]

    @api.model
    def _check_company_buckets(self, companies):
        """Refuse buckets of ``companies`` that miss or repeat a day count.

        :raise ValidationError: saying which buckets, and which day counts
        """
        for company in companies:
            buckets = self.sudo().search([("company_id", "=", company.id)])
            problems = aging.problems(buckets._as_ranges())
            if problems:
                raise ValidationError(
                    "\n".join(self._problem_message(company, problem) for problem in problems)
                )

    @api.model
    def _problem_message(self, company, problem):
        """A sentence saying what :class:`..tools.aging.Problem` ``problem`` is."""
        if problem.kind == "empty":
            return self.env._("%(company)s needs at least one aging bucket.", company=company.name)
        if problem.kind == "inverted":
            return self.env._(
                "The aging bucket “%(bucket)s” ends (%(end)s days) before it starts "
                "(%(start)s days).",
                bucket=problem.first.name,
                start=problem.first.min_days,
                end=problem.first.max_days,
            )
        if problem.kind == "overlap":
            return self.env._(
                "The aging buckets “%(first)s” and “%(second)s” of %(company)s overlap: both "
                "contain %(days)s days late. A day count belongs to one bucket only.",
                first=problem.first.name,
                second=problem.second.name,
                company=company.name,
                days=problem.days,
            )
        if problem.kind == "gap":
            return self.env._(
                "No aging bucket of %(company)s contains %(start)s to %(end)s days late "
                "(between “%(first)s” and “%(second)s”): the buckets must cover every day "
                "count.",
                company=company.name,
                start=problem.days,
                end=problem.until,
                first=problem.first.name,
                second=problem.second.name,
            )
        if problem.kind == "no_start":
            return self.env._(
                "No aging bucket of %(company)s contains %(days)s days late or fewer (items "
                "not due yet): the first bucket needs no lower limit.",
                company=company.name,
                days=problem.days,
            )
        return self.env._(
            "No aging bucket of %(company)s contains %(days)s days late or more: the last "
            "bucket needs no upper limit.",
            company=company.name,
            days=problem.days,
        )

    @api.model
    def _create_default_buckets(self, companies=None):
        """Give the default buckets (not due, 1-30, ..., over 180) to ``companies``
        (default: all) that have none, named in every active language."""
        companies = self.env["res.company"].search([]) if companies is None else companies
        Bucket = self.sudo()
        with_buckets = {company.id for [company] in Bucket._read_group([], ["company_id"])}
        companies = companies.filtered(lambda company: company.id not in with_buckets)
        if not companies:
            return Bucket
        english = self.with_context(lang="en_US").env
        buckets = Bucket.with_context(lang="en_US").create(
            [
                {
                    "company_id": company.id,
                    "sequence": 10 * (index + 1),
                    "name": english._(name),
                    "no_min": start is None,
                    "min_days": start or 0,
                    "no_max": end is None,
                    "max_days": end or 0,
                }
                for company in companies
                for index, (name, start, end) in enumerate(DEFAULT_BUCKETS)
            ]
        )
        # the names in the other languages, from the module's translations of the terms
        names = [name for name, _start, _end in DEFAULT_BUCKETS]
        for code, _lang_name in self.env["res.lang"].get_installed():
            translated = [self.with_context(lang=code).env._(name) for name in names]
            if code == "en_US" or translated == [english._(name) for name in names]:
                continue
            for index, bucket in enumerate(buckets):
                bucket.update_field_translations("name", {code: translated[index % len(names)]})
        return buckets

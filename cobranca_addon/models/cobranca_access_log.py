from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

#: Context key of the module's own writes on the access log (nobody else writes it).
INTERNAL = "cobranca_access_log_internal"
#: Context key set while a form saves or a list reads: its read is no opening.
SAVING = "cobranca_access_log_saving"
#: Minutes within which the same user reading the same record again (the form
#: reloaded after a button) is the same opening.
REOPEN_MINUTES = 10

ACTIONS = [
    ("open", "Opened"),
    ("print", "Printed (laudo)"),
    ("download", "Downloaded (.eml)"),
    ("export", "LGPD export"),
    ("anonymise", "LGPD anonymisation"),
]


class CobrancaAccessLog(models.Model):
    """Who opened which evidence or negotiation record, printed a laudo,
    downloaded an e-mail, exported or anonymised a person's data (LGPD: log who
    accessed the data). Append-only: written by the module, read by managers,
    changed or deleted by nobody."""

    _name = "cobranca.access.log"
    _description = "Cobrança Access Log"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index=True, ondelete="set null"
    )
    action = fields.Selection(ACTIONS, required=True, readonly=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, readonly=True
    )
    reference = fields.Char(string="Record", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(INTERNAL):
            raise UserError(self.env._("The access log is written by the module only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self.check_access("write")
        if not self.env.context.get(INTERNAL):
            raise UserError(self.env._("The access log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The access log cannot be deleted."))

    @api.model
    def _log(self, records, action, partner_field="partner_id"):
        """One line per record of ``records`` for the current user (one INSERT)."""
        if not records:
            return self.browse()
        user = self.env.user
        values = []
        for record in records:
            partner = record[partner_field] if partner_field else record
            values.append(
                {
                    "user_id": user.id,
                    "company_id": (record.company_id or self.env.company).id
                    if "company_id" in record._fields
                    else self.env.company.id,
                    "partner_id": partner.id,
                    "action": action,
                    "res_model": record._name,
                    "res_id": record.id,
                    "reference": record.display_name,
                }
            )
        return self.sudo().with_context(**{INTERNAL: True}).create(values)


class CobrancaAccessLogged(models.AbstractModel):
    """What records whose opening in a form is logged inherit: the form reads
    one record with ``web_read``; lists (``web_search_read``) are not logged."""

    _name = "cobranca.access.logged"
    _description = "Cobrança: Logged Opening"

    def web_read(self, specification):
        result = super().web_read(specification)
        if len(self) == 1 and self.id and not self.env.context.get(SAVING):
            if not self._cobranca_opened_just_before():
                self.env["cobranca.access.log"]._log(self, "open")
        return result

    def _cobranca_opened_just_before(self):
        """Whether the user opened this record in the last minutes: the form read
        again after a button (the web client reloads it) is the same opening, not
        another line of the log."""
        self.ensure_one()
        return bool(
            self.env["cobranca.access.log"]
            .sudo()
            .search_count(
                [
                    ("user_id", "=", self.env.uid),
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("action", "=", "open"),
                    ("date", ">=", fields.Datetime.now() - timedelta(minutes=REOPEN_MINUTES)),
                ],
                limit=1,
            )
        )

    def web_save(self, vals, specification):
        return super(CobrancaAccessLogged, self.with_context(**{SAVING: True})).web_save(
            vals, specification
        )

    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        # a list (or a kanban) of one record is no opening
        return super(CobrancaAccessLogged, self.with_context(**{SAVING: True})).web_search_read(
            domain, specification, offset=offset, limit=limit, order=order, count_limit=count_limit
        )


class CobrancaEvidence(models.Model):
    _name = "cobranca.evidence"
    _inherit = ["cobranca.evidence", "cobranca.access.logged"]

    def action_download_eml(self):
        action = super().action_download_eml()
        self.env["cobranca.access.log"]._log(self, "download")
        return action


class CobrancaNegotiation(models.Model):
    _name = "cobranca.negotiation"
    _inherit = ["cobranca.negotiation", "cobranca.access.logged"]

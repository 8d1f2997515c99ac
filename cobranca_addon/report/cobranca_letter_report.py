from odoo import api, models
from odoo.tools import format_amount, format_date


class ReportCobrancaLetter(models.AbstractModel):
    """Values of the collection letter: the messages and the formatting helpers
    that the shared QWeb parts (items, creditor) use, as in the e-mails."""

    _name = "report.cobranca_addon.report_cobranca_letter"
    _description = "Collection Letter Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["cobranca.message"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "cobranca.message",
            "docs": docs,
            "format_amount": lambda amount, currency: format_amount(self.env, amount, currency),
            "format_date": lambda value: format_date(self.env, value),
        }

from odoo import api, models


class ReportCobrancaEvidence(models.AbstractModel):
    """The laudo técnico verifies the evidence when it is printed: the result it
    shows is the one of that moment. Each printing is in the access log."""

    _name = "report.cobranca_addon.report_cobranca_evidence"
    _description = "Laudo técnico of an AR-tracked E-mail"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["cobranca.evidence"].browse(docids)
        docs.verify_integrity()
        self.env["cobranca.access.log"]._log(docs, "print")
        return {"doc_ids": docids, "doc_model": "cobranca.evidence", "docs": docs}

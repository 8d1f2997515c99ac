from odoo import api, fields, models


class ReportCobrancaAging(models.AbstractModel):
    """Values of the aging PDF: the matrix of each company, from ``_read_group`` on
    the aging report, each in the company's language."""

    _name = "report.cobranca_addon.report_cobranca_aging"
    _description = "Aging of Receivables (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        Aging = self.env["cobranca.aging.report"]
        domain = [("id", "in", docids)] if docids else (data or {}).get("domain") or []
        sections = Aging._aging_sections(domain)
        for section in sections:
            lang = section["company"].partner_id.lang or self.env.lang or "en_US"
            section["lang"] = lang
            section["buckets"] = [bucket.with_context(lang=lang) for bucket in section["buckets"]]
        return {
            "doc_ids": docids,
            "doc_model": Aging._name,
            "docs": Aging.browse(docids or []),
            "sections": sections,
            "date": fields.Date.today(),
        }

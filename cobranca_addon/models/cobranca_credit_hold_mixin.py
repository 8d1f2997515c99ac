import json

from odoo import api, models
from odoo.exceptions import UserError


class CobrancaCreditHoldMixin(models.AbstractModel):
    """What documents stopped by a credit hold share (invoices, sale orders): find
    the holds, refuse or offer the manager's override, log the override."""

    _name = "cobranca.credit.hold.mixin"
    _description = "Cobrança: Credit Hold"

    def _cobranca_partners(self):
        """The customer (commercial partner) of each document."""
        raise NotImplementedError

    def _cobranca_credit_holds(self, action):
        """``{document: credit data}`` of the documents whose customer is blocked by
        a credit policy with this ``action``."""
        holds = {}
        for company, records in self.grouped("company_id").items():
            data = records._cobranca_partners()._cobranca_credit_data(company)
            for record in records:
                values = data.get(record._cobranca_partners().id, {})
                if values.get("status") == "blocked" and values["policy"].action == action:
                    holds[record] = values
        return holds

    @api.model
    def _cobranca_hold_action(self, holds, method):
        """Refuse the operation, or open the override for a Cobrança manager."""
        records = self.browse([record.id for record in holds])
        summary = "\n".join(
            f"{record.display_name} – {record._cobranca_partners().name}: "
            + " ".join(values["reasons"])
            for record, values in holds.items()
        )
        if not self.env.user.has_group("cobranca_addon.group_cobranca_manager"):
            raise UserError(
                self.env._(
                    "The customer is on credit hold:\n%(summary)s\nA Cobrança manager may "
                    "lift the hold, with a reason.",
                    summary=summary,
                )
            )
        wizard = self.env["cobranca.credit.override.wizard"].create(
            {
                "res_model": records._name,
                "res_ids": json.dumps(records.ids),
                "method": method,
                "summary": summary,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit hold"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _cobranca_log_override(self, reason, method):
        """Log that a manager lifted the hold on these documents, and why."""
        for company, records in self.grouped("company_id").items():
            data = records._cobranca_partners()._cobranca_credit_data(company)
            values_list = []
            for record in records:
                partner = record._cobranca_partners()
                standing = data.get(partner.id, {})
                values_list.append(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "res_model": record._name,
                        "res_id": record.id,
                        "reference": record.display_name,
                        "action": method,
                        "status": standing.get("status"),
                        "status_reasons": "\n".join(standing.get("reasons", [])),
                        "reason": reason,
                    }
                )
                body = self.env._(
                    "Credit hold lifted by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
                record._message_log(body=body)
                partner._message_log(body=f"{record.display_name} – {body}")
            self.env["cobranca.credit.override"].sudo().create(values_list)

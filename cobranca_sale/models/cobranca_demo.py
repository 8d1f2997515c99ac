from datetime import timedelta

from odoo import Command, api, fields, models


class CobrancaDemo(models.AbstractModel):
    _inherit = "cobranca.demo"

    @api.model
    def _load_demo(self, company=None, today=None):
        """Quotations waiting for confirmation: one of a good payer, one of the
        blocked customer, whose confirmation needs a Cobrança manager."""
        result = super()._load_demo(company=company, today=today)
        company = company or self.env.ref("base.main_company")
        today = today or fields.Date.context_today(self)
        customers = result["customers"]
        product = (
            self.env["product.product"]
            .with_company(company)
            .create(
                {
                    "name": "Caixa de mercadorias sortidas",
                    "type": "consu",
                    "list_price": 1450.00,
                    "taxes_id": [Command.clear()],
                    "company_id": company.id,
                }
            )
        )
        orders = (
            self.env["sale.order"]
            .with_company(company)
            .create(
                [
                    {
                        "partner_id": customers[key].id,
                        "company_id": company.id,
                        "validity_date": today + timedelta(days=15),
                        "order_line": [
                            Command.create({"product_id": product.id, "product_uom_qty": qty})
                        ],
                    }
                    for key, qty in (("autopecas", 2), ("distribuidora", 4))
                ]
            )
        )
        self.env["ir.model.data"]._update_xmlids(
            [
                {
                    "xml_id": f"cobranca_sale.demo_sale_order_{key}",
                    "record": order,
                    "noupdate": True,
                }
                for key, order in zip(("autopecas", "distribuidora"), orders, strict=True)
            ]
        )
        result["sale_orders"] = orders
        return result

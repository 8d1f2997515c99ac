{
    "name": "Cobrança: Sales Credit Holds",
    "summary": "The customer's credit status on quotations and sale orders; blocked "
    "customers' orders need a Cobrança manager to be confirmed",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "cobranca_addon developers",
    "maintainers": ["cobranca-addon"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "installable": True,
    "auto_install": True,
    "depends": ["sale", "cobranca_addon"],
    "data": [
        "views/sale_order_views.xml",
    ],
}

{
    "name": "Cobrança: Postal Letters",
    "summary": "Collection letters posted by Odoo's snailmail are checked once more "
    "before they are posted: a letter whose items were paid meanwhile is cancelled",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "cobranca_addon developers",
    "maintainers": ["cobranca-addon"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "installable": True,
    "auto_install": True,
    "depends": ["snailmail", "cobranca_addon"],
    "data": [],
}

from odoo.tools import SQL


def uninstall_hook(env):
    """Clear the way for Odoo's removal of the module's records.

    Odoo deletes the records the module's data files created (templates, activity
    types, ...) and only then drops the module's tables. Until then, the rows of
    those tables still reference the records (a level its e-mail template, with
    ``ondelete="restrict"``), so Odoo's deletion is refused and the records stay
    behind. The tables are about to go: their foreign keys to the tables that stay
    have no use left, and are dropped first.

    The collectors' tasks (activities of the module's activity types) belong to the
    records they are on, which stay: they become ordinary to-dos.

    The accounting stays whole: the customers, invoices and payments of the demo
    data carry XML ids of the module, and Odoo would delete them with it (posted
    entries too: the checks of account.move do not run at uninstall). They are
    the company's books now, so they are detached from the module first.
    """
    cr = env.cr
    env["ir.model.data"].sudo().search(
        [
            ("module", "=", "cobranca_addon"),
            "|",
            ("model", "=like", "account.%"),
            ("model", "in", ("res.partner", "res.partner.bank")),
        ]
    ).unlink()
    cr.execute(
        r"""
        SELECT rel.relname, con.conname
          FROM pg_constraint con
          JOIN pg_class rel ON rel.oid = con.conrelid
          JOIN pg_class ref ON ref.oid = con.confrelid
         WHERE con.contype = 'f'
           AND rel.relname LIKE 'cobranca\_%'
           AND ref.relname NOT LIKE 'cobranca\_%'
        """
    )
    for table, constraint in cr.fetchall():
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(table),
                SQL.identifier(constraint),
            )
        )
    types = env["ir.model.data"].search(
        [("module", "=", "cobranca_addon"), ("model", "=", "mail.activity.type")]
    )
    todo = env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
    if types and todo:
        activities = (
            env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search([("activity_type_id", "in", types.mapped("res_id"))])
        )
        activities.write({"activity_type_id": todo.id})

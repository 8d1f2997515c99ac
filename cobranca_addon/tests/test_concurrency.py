import threading
from datetime import date, timedelta

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .fault_common import FaultAssertions


@tagged("post_install", "-at_install")
class TestConcurrentRuns(TransactionCase, FaultAssertions):
    """Two workers on two real connections: nothing is dunned twice.

    The data is committed (other connections must see it) and removed at the end:
    these are the only commits of the module, hence the pylint exemptions.
    """

    DAY = date(2031, 5, 6)

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            income = env["account.account"].search(
                [("account_type", "=", "income"), ("company_ids", "in", company.id)], limit=1
            )
            partners = env["res.partner"].create(
                [
                    {"name": f"Cliente Concorrente {n}", "email": f"concorrente{n}@example.com"}
                    for n in range(6)
                ]
            )
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": self.DAY - timedelta(days=40),
                        "invoice_date_due": self.DAY - timedelta(days=days),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "x",
                                    "price_unit": 100.0 + days,
                                    "account_id": income.id,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                    for partner in partners
                    for days in (1, 10)
                ]
            )
            moves.action_post()
            cr.commit()  # pylint: disable=invalid-commit
        self.company_id = company.id
        self.partner_ids = partners.ids
        self.move_ids = moves.ids
        self.addCleanup(self._clean_up)

    def _clean_up(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            messages = env["cobranca.message"].search([("partner_id", "in", self.partner_ids)])
            env["mail.mail"].search([("cobranca_message_id", "in", messages.ids)]).unlink()
            env["mail.activity"].search([("cobranca_message_id", "in", messages.ids)]).unlink()
            messages.unlink()
            env["cobranca.line"].search([("move_id", "in", self.move_ids)]).unlink()
            env["cobranca.run"].search([("date", "=", self.DAY)]).unlink()
            moves = env["account.move"].browse(self.move_ids)
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _assert_each_item_dunned_once(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lines = env["cobranca.line"].search([("move_id", "in", self.move_ids)])
            self.assertEqual(len(lines), len(self.move_ids), "one line per item")
            self.assertEqual(
                len({(line.move_line_id.id, line.level_id.id) for line in lines}), len(lines)
            )
            self.assertEqual(set(lines.mapped("state")), {"sent"})
            messages = env["cobranca.message"].search([("partner_id", "in", self.partner_ids)])
            self.assertEqual(len(messages), len(self.partner_ids), "one message per customer")
            self.assertEqual(sorted(messages.partner_id.ids), sorted(self.partner_ids))
            mails = env["mail.mail"].search([("cobranca_message_id", "in", messages.ids)])
            self.assertEqual(len(mails), len(messages), "one e-mail per message")
            self.assertEqual(set(lines.run_id.mapped("state")), {"done"})
            self.assertNothingLostNothingDuplicated(
                env,
                env["account.move"].browse(self.move_ids),
                env.ref("cobranca_addon.cobranca_level_default_overdue"),
            )

    def test_two_runs_at_the_same_time(self):
        """Scheduled run and "Run now" start together on two connections."""
        barrier = threading.Barrier(2)
        errors = []

        def work():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                company = env["res.company"].browse(self.company_id)
                barrier.wait()
                try:
                    env["cobranca.run"]._run_dunning(date=self.DAY, companies=company, batch_size=2)
                    cr.commit()  # pylint: disable=invalid-commit
                except Exception as error:  # noqa: BLE001 - a conflict is allowed, a duplicate is not
                    cr.rollback()
                    errors.append(error)

        with mute_logger("odoo.sql_db"):
            threads = [threading.Thread(target=work) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        # a worker that lost a race may have been rolled back; the other did the work
        self.assertLessEqual(len(errors), 1, errors)
        if errors:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["cobranca.run"]._run_dunning(
                    date=self.DAY, companies=env["res.company"].browse(self.company_id)
                )
                cr.commit()  # pylint: disable=invalid-commit
        self._assert_each_item_dunned_once()

    def test_two_workers_share_the_batches(self):
        """Two workers dispatching the same run take different customers."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["cobranca.run"]._prepare_runs(
                env["res.company"].browse(self.company_id), date=self.DAY
            )
            cr.commit()  # pylint: disable=invalid-commit
        cr1, cr2 = self.registry.cursor(), self.registry.cursor()
        try:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            company1 = env1["res.company"].browse(self.company_id)
            company2 = env2["res.company"].browse(self.company_id)
            # worker 1 holds three customers (transaction still open) ...
            done1, _remaining = env1["cobranca.run"]._process_batch(company1, batch_size=3)
            # ... worker 2, meanwhile, skips them and takes the three others
            done2, _remaining = env2["cobranca.run"]._process_batch(company2, batch_size=3)
            self.assertEqual((done1, done2), (3, 3))
            claimed1 = env1["cobranca.message"].search([("partner_id", "in", self.partner_ids)])
            claimed2 = env2["cobranca.message"].search([("partner_id", "in", self.partner_ids)])
            self.assertFalse(claimed1.partner_id & claimed2.partner_id)
            cr1.commit()  # pylint: disable=invalid-commit
            cr2.commit()  # pylint: disable=invalid-commit
        finally:
            cr1.close()
            cr2.close()
        # the next call of the scheduler finds nothing left and closes the run
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env["res.company"].browse(self.company_id)
            self.assertEqual(env["cobranca.run"]._process_batch(company), (0, 0))
            cr.commit()  # pylint: disable=invalid-commit
        self._assert_each_item_dunned_once()

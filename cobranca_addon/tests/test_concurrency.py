import threading
from datetime import date

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tools import mute_logger

from .fault_common import CommittedFaultCase, registry_lock_released


@tagged("post_install", "-at_install")
class TestConcurrentRuns(CommittedFaultCase):
    """Two workers on two real connections: nothing is dunned twice.

    The data is committed (other connections must see it) and removed at the end
    (:class:`CommittedFaultCase`); these tests commit, hence the pylint
    exemptions.
    """

    #: A day of its own, apart from the fault suite's (2031-05-13).
    DAY = date(2031, 5, 6)

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

        with mute_logger("odoo.sql_db"), registry_lock_released():
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

    def test_two_cron_workers_run_the_day_together(self):
        """Two cron workers on two connections dispatch the same day at the same time.

        Each runs what the scheduled action runs (``_process_batch_safely``), one
        customer per batch, again and again until nothing is left, as two Odoo
        servers sharing the database do. A barrier makes every batch of one worker
        overlap a batch of the other (each holds its customers' locks until the
        other has claimed its own), and both start each round together: each item is
        dunned exactly once, and the work is split between them, half each.
        """
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["cobranca.run"]._prepare_runs(
                env["res.company"].browse(self.company_id), date=self.DAY
            )
            cr.commit()  # pylint: disable=invalid-commit
        barrier = threading.Barrier(2, timeout=60)
        done_by = {0: [], 1: []}
        errors = []

        def worker(index):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    company = env["res.company"].browse(self.company_id)
                    while True:
                        done, remaining = env["cobranca.run"]._process_batch_safely(
                            company, batch_size=1
                        )
                        if done:
                            # hold this batch's customers until the other worker has
                            # claimed its own: the two batches overlap
                            barrier.wait()
                        # (the last call of each, with nothing to do, closes the run:
                        # the second to close it conflicts and is retried, as in cron)
                        cr.commit()  # pylint: disable=invalid-commit
                        barrier.wait()  # both committed: the next round sees both
                        done_by[index].append(done)
                        if not done and not remaining:
                            break
                        self.assertLess(len(done_by[index]), 20, "the workers never finish")
            except Exception as error:  # noqa: BLE001 - reported below, with the other's
                errors.append(error)
                barrier.abort()

        with (
            mute_logger("odoo.sql_db", "odoo.addons.cobranca_addon.models.cobranca_run"),
            registry_lock_released(),
        ):
            threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=180)
        self.assertFalse(errors, errors)
        self.assertEqual(sum(done_by[0]) + sum(done_by[1]), len(self.partner_ids))
        # the work is split: each worker dispatched half of the customers
        self.assertEqual(sum(done_by[0]), len(self.partner_ids) // 2, done_by)
        self.assertEqual(sum(done_by[1]), len(self.partner_ids) // 2, done_by)
        self._assert_each_item_dunned_once()

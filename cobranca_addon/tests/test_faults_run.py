"""Faults of the run on real connections: a crash in the middle of a batch, the
scheduled action and "Run now" together, two cron workers, a serialization
failure. Each ends with "nothing lost, nothing duplicated"."""

import threading
from unittest.mock import patch

from psycopg2 import errors as pg_errors

from odoo import modules
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, retrying
from odoo.tests import tagged
from odoo.tools import SQL, config, mute_logger

from ..models.cobranca_run import BATCH_CONFLICTS
from .fault_common import CommittedFaultCase, registry_lock_released, start_loopback_smtp


class DispatchCrash(RuntimeError):
    """The fault injected in the middle of a batch."""


@tagged("post_install", "-at_install")
class TestFaultsRun(CommittedFaultCase):
    def _run_threads(self, *targets):
        """Start the targets together (a barrier) and wait for them; the errors
        they raised, if any."""
        barrier = threading.Barrier(len(targets))
        errors = []

        def wrap(target):
            def run():
                try:
                    barrier.wait(timeout=30)
                    target()
                except Exception as error:  # noqa: BLE001 - reported by the test
                    errors.append(error)

            return run

        threads = [threading.Thread(target=wrap(target)) for target in targets]
        with mute_logger("odoo.sql_db", "odoo.service.model"), registry_lock_released():
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        self.assertFalse([thread for thread in threads if thread.is_alive()], "a worker hung")
        return errors

    def _messages(self, env):
        return env["cobranca.message"].search([("partner_id", "in", self.partner_ids)])

    # ------------------------------------------------------------------
    # 2. A crash in the middle of a batch, then the run again
    # ------------------------------------------------------------------

    def test_crash_in_the_middle_of_a_batch_then_run_again(self):
        """The 4th customer's e-mail fails to render: the whole batch (3rd and 4th
        customers) rolls back, the batch before stays done, and the next call
        dispatches everyone left, once."""
        Message = self.registry["cobranca.message"]
        original = Message._prepare_mail_values
        calls = []

        def crash_on_the_second(message, template, rendered):
            calls.append(message.partner_id.id)
            if len(calls) == 2:
                raise DispatchCrash("the worker died while dispatching")
            return original(message, template, rendered)

        with self.at_noon():
            # first call of the day: the run, its lines and the first batch
            with self.worker() as env:
                env["cobranca.run"]._cron_run(batch_size=2)
            with self.worker() as env:
                first = self._messages(env)
                self.assertEqual(len(first.partner_id), 2)
            # second call: the batch dies on its second customer
            with (
                patch.object(Message, "_prepare_mail_values", crash_on_the_second),
                self.assertRaises(DispatchCrash),
                self.worker() as env,
            ):
                env["cobranca.run"]._cron_run(batch_size=2)
            with self.worker() as env:
                self.assertEqual(self._messages(env), first, "the dead batch left nothing")
                lines = env["cobranca.line"].search([("move_id", "in", self.move_ids)])
                self.assertEqual(
                    len(lines.filtered(lambda line: line.state == "pending")), 8, "4 customers"
                )
            # the scheduler calls again: the rest, once
            self.cron_until_done(self.worker)
        self.assert_dunned_once()

    # ------------------------------------------------------------------
    # 3. The scheduled action and a manager's "Run now" at the same moment
    # ------------------------------------------------------------------

    def test_scheduled_action_and_run_now_at_the_same_moment(self):
        admin = self.env.ref("base.user_admin").id

        def scheduled():
            self.cron_until_done(self.worker)

        def run_now():
            # as an HTTP request does: retried on a concurrency error, committed
            with self.worker(uid=admin) as env:
                runs = env["cobranca.run"].with_context(allowed_company_ids=[self.company_id])
                retrying(runs.action_run_now, env)

        with self.at_noon():
            errors = self._run_threads(scheduled, run_now)
            self.assertFalse(errors)
            # "Run now" leaves what it could not do to the scheduled action
            self.cron_until_done(self.worker)
        with self.worker() as env:
            runs = env["cobranca.run"].search([("date", "=", self.DAY)])
            self.assertEqual(len(runs), 1, "one run per company and day")
        self.assert_dunned_once()

    # ------------------------------------------------------------------
    # 4. Two cron workers on two connections processing the same run
    # ------------------------------------------------------------------

    def test_two_cron_workers_process_the_same_run(self):
        with self.at_noon():
            # the first call creates the run; then two workers share its batches
            with self.worker() as env:
                env["cobranca.run"]._cron_run(batch_size=1)
            errors = self._run_threads(
                lambda: self.cron_until_done(self.worker, batch_size=1),
                lambda: self.cron_until_done(self.worker, batch_size=1),
            )
            self.assertFalse(errors)
        self.assert_dunned_once()

    def test_two_cron_workers_interleaved_on_the_same_customers(self):
        """Worker 1 holds its batch open while worker 2 takes its own, then both
        commit: the locked customers are skipped, none is dunned twice."""
        with self.at_noon():
            with self.worker() as env:
                env["cobranca.run"]._prepare_runs(self.company(env), date=self.DAY)
            with self.worker() as env1, self.worker() as env2:
                done1, _left = env1["cobranca.run"]._process_batch_safely(self.company(env1), 4)
                done2, _left = env2["cobranca.run"]._process_batch_safely(self.company(env2), 4)
                self.assertEqual((done1, done2), (4, 2))
            self.cron_until_done(self.worker)
        self.assert_dunned_once()

    # ------------------------------------------------------------------
    # 6. A serialization failure during a batch
    # ------------------------------------------------------------------

    def _pending_lines_of_first_customer(self, env):
        return env["cobranca.line"].search(
            [("partner_id", "=", self.partner_ids[0]), ("state", "=", "pending")]
        )

    def test_serialization_failure_during_a_batch_is_retried_once(self):
        """A concurrent transaction commits a change to the lines of the batch's
        customers after the batch's snapshot: the batch's FOR UPDATE fails with a
        serialization failure, is rolled back alone, the scheduler is asked for
        another call, which dispatches them once."""
        with self.at_noon():
            with self.worker() as env:
                env["cobranca.run"]._prepare_runs(self.company(env), date=self.DAY)
            with self.worker() as env1:
                # the batch's transaction has its snapshot ...
                env1.cr.execute("SELECT COUNT(*) FROM cobranca_line")
                # ... when another transaction changes its customers' lines
                with self.worker() as env2:
                    lines = self._pending_lines_of_first_customer(env2)
                    self.assertTrue(lines)
                    lines.write({"note": "touched by a concurrent transaction"})
                done, remaining = env1["cobranca.run"]._process_batch_safely(self.company(env1), 2)
                self.assertEqual(done, 0, "the batch was rolled back")
                self.assertEqual(remaining, self.CUSTOMERS)
                self.assertFalse(self._messages(env1))
                cron = env1.ref("cobranca_addon.ir_cron_cobranca_run")
                self.assertTrue(
                    env1["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
                    "another call of the scheduled action was asked for",
                )
            self.cron_until_done(self.worker)
        self.assert_dunned_once()

    def test_lock_not_available_during_a_batch_is_retried_once(self):
        """Another transaction holds the lines' row locks longer than the
        database's lock_timeout: the batch gives up (LockNotAvailable), rolled back
        alone, and the next call dispatches them once."""
        with self.at_noon():
            with self.worker() as env:
                env["cobranca.run"]._prepare_runs(self.company(env), date=self.DAY)
            with self.worker() as holder:
                lines = self._pending_lines_of_first_customer(holder)
                holder.cr.execute(
                    SQL("SELECT id FROM cobranca_line WHERE id = ANY(%s) FOR UPDATE", lines.ids)
                )
                with self.worker() as env1:
                    env1.cr.execute("SET LOCAL lock_timeout = '200ms'")
                    with mute_logger("odoo.sql_db"):
                        done, _remaining = env1["cobranca.run"]._process_batch_safely(
                            self.company(env1), 2
                        )
                    self.assertEqual(done, 0)
                    self.assertFalse(self._messages(env1))
            self.cron_until_done(self.worker)
        self.assert_dunned_once()

    def test_deadlock_is_a_concurrency_error_of_the_batch(self):
        """The errors the batch rolls back alone are the ones Odoo itself retries."""
        for error in (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, pg_errors.UniqueViolation):
            self.assertTrue(issubclass(error, BATCH_CONFLICTS), error)

    # ------------------------------------------------------------------
    # 5. A payment committed while a batch dispatches its customer
    # ------------------------------------------------------------------

    def test_payment_committed_while_the_batch_dispatches(self):
        """The batch cannot see a payment committed after its snapshot: whether
        it conflicts (and is done again) or queues the reminder, the e-mail is
        cancelled when the mail queue takes it, in its own transaction."""
        with self.at_noon():
            with self.worker() as env:
                env["cobranca.run"]._prepare_runs(self.company(env), date=self.DAY)
            with self.worker() as env1:
                env1.cr.execute("SELECT COUNT(*) FROM cobranca_line")
                with self.worker() as env2:
                    paid = env2["account.move"].search(
                        [("id", "in", self.move_ids), ("partner_id", "=", self.partner_ids[0])]
                    )
                    self.pay(env2, paid)
                with mute_logger("odoo.sql_db"):
                    env1["cobranca.run"]._process_batch_safely(self.company(env1), 2)
            self.cron_until_done(self.worker)
            # Odoo's mail queue, on a real SMTP server (the configuration's, no
            # mail server record here)
            handler, controller, port = start_loopback_smtp()
            self.addCleanup(controller.stop)
            with (
                patch.dict(config.options, {"smtp_server": "127.0.0.1", "smtp_port": port}),
                patch.object(modules.module, "current_test", False),
                self.worker() as env,
            ):
                messages = self._messages(env)
                env["mail.mail"].process_email_queue(
                    ids=env["mail.mail"].search([("cobranca_message_id", "in", messages.ids)]).ids
                )
            self.assertEqual(len(handler.envelopes), self.CUSTOMERS - 1)
            payer = "falha0@example.com"
            self.assertFalse([e for e in handler.envelopes if payer in e.rcpt_tos])
            with self.worker() as env:
                sent = self._messages(env).filtered(lambda message: message.state == "sent")
                self.assertEqual(len(sent), self.CUSTOMERS - 1)
                self.assertNotIn(self.partner_ids[0], sent.partner_id.ids)
        self.assert_dunned_once(paid=paid)

from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestCron(CobrancaCommon):
    def test_scheduled_action_through_the_scheduler(self):
        """The real scheduler path: batches, progress, rescheduling."""
        partners = [self._customer(f"Cliente Cron {n}", f"cron{n}@example.com") for n in range(5)]
        invoices = [self._invoice(partner, 100.0) for partner in partners]
        self.env["ir.config_parameter"].set_param("cobranca_addon.batch_size", 2)
        cron = self.env.ref("cobranca_addon.ir_cron_cobranca_run")
        self.assertEqual(cron.code.strip(), "model._cron_run()")
        day = self.DUE + timedelta(days=1)
        # noon in Brasília (the company's timezone) on that day; the other companies
        # of the test database have nothing due then
        with freeze_time(datetime.combine(day, time(15, 0))):
            self._run_scheduled_action(cron)
        for partner, invoice in zip(partners, invoices, strict=True):
            self.assertEqual(self._lines(invoice).level_id, self.level_overdue)
            self.assertEqual(len(self._messages(partner)), 1)
        progress = self.env["ir.cron.progress"].search([("cron_id", "=", cron.id)])
        # five customers in batches of two: three calls, the last with nothing left
        self.assertEqual(sorted(progress.mapped("remaining"), reverse=True)[:3], [3, 1, 0])
        run = self.Run.search([("company_id", "=", self.company.id), ("date", "=", day)])
        self.assertEqual(run.trigger, "cron")
        self.assertEqual(run.state, "done")

    def test_cron_method_reports_progress_per_batch(self):
        for n in range(3):
            self._invoice(self._customer(f"Lote {n}", f"lote{n}@example.com"), 50.0)
        with freeze_time(datetime.combine(self.DUE + timedelta(days=1), time(15, 0))):
            remaining = [self.Run.sudo()._cron_run(batch_size=2) for _call in range(3)]
        self.assertEqual(remaining[-1], 0)
        self.assertGreater(remaining[0], 0)

    def test_retry_cron_is_scheduled(self):
        cron = self.env.ref("cobranca_addon.ir_cron_cobranca_retry")
        self.assertTrue(cron.active)
        cron.method_direct_trigger()

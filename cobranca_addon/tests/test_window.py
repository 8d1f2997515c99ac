from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CobrancaCommon


@tagged("post_install", "-at_install")
class TestSendWindow(CobrancaCommon):
    """Send window, holidays and the weekly contact limit.

    Times are UTC; Brasília is UTC-3: 11h UTC is 8h there, 23h UTC is 20h.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.mobile = "+55 11 98888-7777"
        cls.company.cobranca_tz = "America/Sao_Paulo"

    def test_run_on_a_sunday_goes_out_on_monday_morning(self):
        sunday = date(2030, 4, 14)
        self._invoice(self.customer, 100.0, due=sunday - timedelta(days=1))
        self._run(sunday, hour=15)  # Sunday 12h in Brasília
        message = self._messages(self.customer)
        monday_8h = datetime(2030, 4, 15, 11, 0)
        self.assertEqual(message.scheduled_at, monday_8h)
        self.assertEqual(message.mail_ids.scheduled_date, monday_8h)
        self.assertEqual(message.state, "queued")

    def test_run_at_21h_goes_out_the_next_morning(self):
        self._invoice(self.customer, 100.0)
        day = self.DUE + timedelta(days=1)  # Tuesday 16 April 2030
        with freeze_time(datetime(2030, 4, 17, 0, 0)):  # Tuesday 21h in Brasília
            self.Run._run_dunning(date=day, companies=self.company)
        message = self._messages(self.customer)
        self.assertEqual(message.scheduled_at, datetime(2030, 4, 17, 11, 0))

    def test_run_inside_the_window_goes_at_once(self):
        self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1), hour=14)
        message = self._messages(self.customer)
        self.assertFalse(message.scheduled_at)
        self.assertFalse(message.mail_ids.scheduled_date)

    def test_holiday_is_skipped(self):
        # Friday 19 April 2030 is Good Friday (Sexta-feira Santa): next is Saturday 8h
        good_friday = date(2030, 4, 19)
        self._invoice(self.customer, 100.0, due=good_friday - timedelta(days=1))
        self._run(good_friday, hour=14)
        self.assertEqual(self._messages(self.customer).scheduled_at, datetime(2030, 4, 20, 11, 0))

    def test_local_holiday_and_no_saturday(self):
        self.company.cobranca_saturday = False
        self.env["cobranca.holiday"].create(
            {
                "name": "Aniversário de São Paulo",
                "date": date(2030, 4, 22),
                "company_id": self.company.id,
            }
        )
        friday = date(
            2030, 4, 19
        )  # Good Friday, then Saturday closed, Sunday, Monday local holiday
        self._invoice(self.customer, 100.0, due=friday - timedelta(days=1))
        self._run(friday, hour=14)
        self.assertEqual(self._messages(self.customer).scheduled_at, datetime(2030, 4, 23, 11, 0))

    def test_scheduled_sms_is_posted_when_the_window_opens(self):
        self.level_overdue.write({"channel_email": False, "channel_sms": True})
        self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1))  # 21h the day before: outside
        message = self._messages(self.customer)
        self.assertEqual(message.state, "scheduled")
        self.assertFalse(message.tracked_message_id)
        with freeze_time(message.scheduled_at - timedelta(minutes=1)):
            self.assertEqual(self.Message.sudo()._cron_send_scheduled(), 0)
        self.assertEqual(message.state, "scheduled")
        with freeze_time(message.scheduled_at + timedelta(minutes=5)):
            self.assertEqual(self.Message.sudo()._cron_send_scheduled(), 1)
        self.assertEqual(message.state, "queued")
        self.assertTrue(message.tracked_message_id)

    def test_scheduled_sms_of_a_paid_invoice_is_cancelled(self):
        self.level_overdue.write({"channel_email": False, "channel_sms": True})
        invoice = self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1))
        message = self._messages(self.customer)
        self._pay(invoice, day=self.DUE + timedelta(days=1))
        with freeze_time(message.scheduled_at + timedelta(minutes=5)):
            self.Message.sudo()._cron_send_scheduled()
        self.assertEqual(message.state, "cancelled")
        self.assertFalse(message.tracked_message_id)

    def test_tasks_are_due_when_the_window_opens(self):
        self.level_overdue.write({"channel_email": False, "channel_phone": True})
        sunday = date(2030, 4, 14)
        partner = self._customer("Cliente de domingo")
        self._invoice(partner, 100.0, due=sunday - timedelta(days=1))
        self._run(sunday, hour=15)
        self.assertEqual(self._messages(partner).activity_ids.date_deadline, date(2030, 4, 15))

    def test_weekly_contact_limit(self):
        """Two channels a reminder, at most three messages a week: the next reminder
        waits until the week has passed."""
        self.policy.min_interval_days = 1
        self.level_overdue.write({"channel_sms": True})
        self.level_second.write({"channel_sms": True, "days": 3})
        self.company.cobranca_weekly_cap = 3
        invoice = self._invoice(self.customer, 100.0)
        self._run(self.DUE + timedelta(days=1), hour=14)
        self.assertEqual(len(self._messages(self.customer)), 2)
        self._run(self.DUE + timedelta(days=3), hour=14)
        line = self._lines(invoice).filtered(lambda ln: ln.level_id == self.level_second)
        self.assertEqual(line.state, "waiting")
        self.assertIn("Weekly contact limit", line.note)
        self.assertEqual(len(self._messages(self.customer)), 2)
        for offset in range(4, 8):
            self._run(self.DUE + timedelta(days=offset), hour=14)
        self.assertEqual(len(self._messages(self.customer)), 2)
        self._run(self.DUE + timedelta(days=8), hour=14)
        self.assertEqual(line.state, "sent")
        self.assertEqual(len(self._messages(self.customer)), 4)

    def test_national_holidays_are_generated_once(self):
        Holiday = self.env["cobranca.holiday"]
        created = Holiday._generate_national([2040])
        self.assertEqual(len(created), 13)
        self.assertIn("Corpus Christi", created.mapped("name"))
        self.assertFalse(Holiday._generate_national([2040]))

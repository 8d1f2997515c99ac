from datetime import date, datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS

_run_wkhtmltopdf = IrActionsReport._run_wkhtmltopdf


def _wkhtmltopdf_in_test_mode(self, *args, **kwargs):
    """Real PDFs (``force_report_rendering``) from a test that is not an HttpCase:
    wkhtmltopdf fetches the report's assets from Odoo's HTTP server, whose request
    would wait for the registry that Odoo's test runner holds while the tests run
    (pytest-odoo holds none). In test mode the server serves it in the test's
    transaction, under both runners; wkhtmltopdf itself runs unchanged."""
    registry = self.env.registry
    if registry.in_test_mode():
        return _run_wkhtmltopdf(self, *args, **kwargs)
    self.env.flush_all()
    registry.enter_test_mode(self.env.cr)
    try:
        return _run_wkhtmltopdf(self, *args, **kwargs)
    finally:
        registry.leave_test_mode()


class CobrancaCommon(AccountTestInvoicingCommon, MockEmail, MockSMS):
    """Invoices and customers for the régua, on the company of the test.

    E-mails are sent through Odoo's mocked SMTP gateway (:meth:`_send_mails`).
    """

    #: A Monday, far from any real data.
    DUE = date(2030, 4, 15)

    @classmethod
    def get_default_groups(cls):
        # the accountant running the tests also manages cobrança
        return super().get_default_groups() | cls.env.ref("cobranca_addon.group_cobranca_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(
            patch.object(IrActionsReport, "_run_wkhtmltopdf", _wkhtmltopdf_in_test_mode)
        )
        cls.company = cls.env.company
        cls.company.write(
            {
                "name": "Comercial Paulista de Alimentos Ltda",
                "email": "financeiro@paulista.example.com",
                "vat": "11.222.333/0001-81",
                "street": "Av. Paulista, 1000",
                "city": "São Paulo",
                "zip": "01310-100",
                "phone": "+55 11 3333-4444",
            }
        )
        cls.policy = cls.env.ref("cobranca_addon.cobranca_policy_default")
        cls.company.cobranca_policy_id = cls.policy
        cls.level_friendly = cls.env.ref("cobranca_addon.cobranca_level_default_friendly")
        cls.level_overdue = cls.env.ref("cobranca_addon.cobranca_level_default_overdue")
        cls.level_second = cls.env.ref("cobranca_addon.cobranca_level_default_second")
        cls.level_call = cls.env.ref("cobranca_addon.cobranca_level_default_call")
        cls.level_formal = cls.env.ref("cobranca_addon.cobranca_level_default_formal")
        cls.income_account = cls.company_data["default_account_revenue"]
        cls.collector = cls.env["res.users"].create(
            {
                "name": "Carla Cobradora",
                "login": "carla.cobradora",
                "email": "carla@paulista.example.com",
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("account.group_account_invoice").id,
                            cls.env.ref("cobranca_addon.group_cobranca_user").id,
                        ]
                    )
                ],
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        cls.policy.collector_id = cls.collector
        # no weekly contact limit unless a test sets one (test_window does)
        cls.company.cobranca_weekly_cap = 0
        cls.customer = cls._customer("Mercado Bom Preço Ltda", "contas@bompreco.example.com")
        cls.Run = cls.env["cobranca.run"]
        cls.Line = cls.env["cobranca.line"]
        cls.Message = cls.env["cobranca.message"]

    @classmethod
    def _customer(cls, name, email=False, **values):
        return cls.env["res.partner"].create(
            {"name": name, "email": email, "is_company": True, "lang": "en_US", **values}
        )

    @classmethod
    def _invoice(
        cls,
        partner,
        amount,
        due=None,
        currency=None,
        payment_term=None,
        invoice_date=None,
        post=True,
        company=None,
        move_type="out_invoice",
    ):
        """A posted customer invoice of ``amount``, due on ``due`` (or by its term)."""
        company = company or cls.company
        due = due or cls.DUE
        invoice_date = invoice_date or (due - timedelta(days=30))
        values = {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "date": invoice_date,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Mercadorias",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        if currency:
            values["currency_id"] = currency.id
        if payment_term:
            values["invoice_payment_term_id"] = payment_term.id
        else:
            values["invoice_date_due"] = due
        move = cls.env["account.move"].with_company(company).create(values)
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount=None, day=None):
        values = {"payment_date": day or invoice.invoice_date_due}
        if amount is not None:
            values.update(amount=amount, payment_difference_handling="open")
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(values)
        )
        return wizard._create_payments()

    def _run(self, day, hour=None, **kwargs):
        """Run the régua for ``day`` at ``hour`` UTC (default midnight UTC: 21h the day
        before in Brasília, outside the send window, so messages are scheduled)."""
        moment = datetime.combine(day, time(hour or 0))
        with freeze_time(moment):
            return self.Run._run_dunning(
                date=day, companies=kwargs.pop("companies", self.company), **kwargs
            )

    def _run_scheduled_action(self, cron):
        """Run ``cron`` the way Odoo's scheduler does (``ir.cron._process_job``, on
        its own cursor, with its progress and rescheduling), in test mode so that
        it sees this test's data."""
        self.env.flush_all()
        self.registry.enter_test_mode(self.cr)
        try:
            with mute_logger("odoo.addons.base.models.ir_cron"):
                self.registry["ir.cron"]._process_job(
                    self.registry.db_name,
                    self.registry.cursor(),
                    {
                        **cron.read(load=None)[0],
                        "done": 0,
                        "remaining": 0,
                        "timed_out_counter": 0,
                    },
                )
        finally:
            self.registry.leave_test_mode()
        self.env.invalidate_all()

    def _send_mails(self, mails):
        """Send e-mails as the mail queue does, through the mocked SMTP server."""
        with self.mock_mail_gateway():
            mails.send()

    def _lines(self, moves):
        return self.Line.search([("move_id", "in", moves.ids)], order="date, id")

    def _messages(self, partners):
        return self.Message.search([("partner_id", "in", partners.ids)], order="date, id")

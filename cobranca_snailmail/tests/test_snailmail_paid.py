from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.cobranca_addon.tests.common import CobrancaCommon
from odoo.addons.cobranca_addon.tests.fault_common import FaultAssertions

IAP_JSONRPC = "odoo.addons.iap.tools.iap_tools.iap_jsonrpc"


@tagged("post_install", "-at_install")
class TestSnailmailPaidWhileQueued(CobrancaCommon, FaultAssertions):
    """A payment registered while the collection letter waits in snailmail's
    queue: the letter is cancelled, never posted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_overdue.write(
            {"channel_email": False, "channel_letter": True, "letter_snailmail": True}
        )
        address = {
            "street": "Rua Augusta, 1500",
            "city": "São Paulo",
            "zip": "01304-001",
            "country_id": cls.env.ref("base.br").id,
        }
        cls.customer.write(address)
        cls.other = cls._customer("Padaria Pão Quente Ltda", **address)
        cls.day = cls.DUE + timedelta(days=1)

    def _posted(self):
        """Snailmail's queue, with its postal service (IAP, outside) recording
        what it is asked to post and posting it."""
        posted = []

        def post(endpoint, params=None, timeout=None):
            posted.extend(doc["letter_id"] for doc in params["documents"])
            return {
                "request_code": 200,
                "total_cost": 1,
                "request": {
                    "documents": [
                        {"letter_id": doc["letter_id"], "sent": True, "send_id": "AR123"}
                        for doc in params["documents"]
                    ]
                },
            }

        # snailmail commits after each letter posted; a test may not
        with patch(IAP_JSONRPC, post), patch.object(self.env.cr, "commit", lambda: None):
            self.env["snailmail.letter"].with_context(force_report_rendering=True)._snailmail_cron(
                autocommit=False
            )
        return posted

    def _letters(self, partners):
        messages = self.Message.search([("partner_id", "in", partners.ids)])
        return self.env["snailmail.letter"].search(
            [("model", "=", "cobranca.message"), ("res_id", "in", messages.ids)]
        )

    def test_paid_while_the_letter_waits_in_snailmails_queue(self):
        invoices = self._invoice(self.customer, 300.0) | self._invoice(self.other, 200.0)
        self._run(self.day, hour=15)
        letters = self._letters(self.customer | self.other)
        self.assertEqual(set(letters.mapped("state")), {"pending"})
        paid = invoices.filtered(lambda move: move.partner_id == self.customer)
        self._pay(paid, day=self.day)
        posted = self._posted()
        letter = self._letters(self.customer)
        self.assertEqual(letter.state, "canceled")
        self.assertEqual(posted, self._letters(self.other).ids, "only the unpaid one is posted")
        self.assertEqual(self._messages(self.customer).state, "cancelled")
        self.assertEqual(self._messages(self.other).state, "sent")
        self.assertNothingLostNothingDuplicated(self.env, invoices, self.level_overdue, paid=paid)

    def test_the_next_run_cancels_the_letter_of_an_item_paid_since(self):
        invoice = self._invoice(self.customer, 300.0)
        self._run(self.day, hour=15)
        letter = self._letters(self.customer)
        self._pay(invoice, day=self.day)
        # the next day's run finds the item paid before the queue posted it
        self._run(self.day + timedelta(days=1), hour=15)
        self.assertEqual(letter.state, "canceled")
        self.assertEqual(self._messages(self.customer).state, "cancelled")
        self.assertFalse(self._posted())
        self.assertNothingLostNothingDuplicated(self.env, invoice, self.level_overdue, paid=invoice)

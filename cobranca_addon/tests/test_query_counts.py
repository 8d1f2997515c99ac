from datetime import datetime, time, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from .common import CobrancaCommon

#: SQL queries of one batch of the run, whatever its number of customers and items
#: (see test_one_batch_costs_the_same_whatever_its_size).
BATCH_QUERIES = 46
#: SQL queries of the invoice form's cobrança fields (web_read).
INVOICE_FORM_QUERIES = 35
#: SQL queries of the customer form's cobrança fields (web_read).
CUSTOMER_FORM_QUERIES = 24
#: SQL queries of the credit status of a list of customers (list view, badge).
CREDIT_STATUS_QUERIES = 13


@tagged("post_install", "-at_install")
class TestQueryCounts(CobrancaCommon):
    """The hot paths cost a fixed number of queries: a regression fails here.

    Each count is the number measured when it was pinned; it may only go down.
    ``assertQueryCount`` fails when a path makes more queries than pinned (and
    logs when it makes fewer: pin the new number then).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.day = cls.DUE + timedelta(days=1)
        # customers in creation order: the batches claim them by id
        cls.warm = cls._customers("Aquecimento", 1, items=1)
        cls.small = cls._customers("Pequeno", 2, items=1)
        cls.large = cls._customers("Grande", 5, items=3)

    @classmethod
    def _customers(cls, prefix, count, items):
        partners = cls.env["res.partner"]
        for n in range(count):
            partner = cls._customer(f"{prefix} {n} Ltda", f"{prefix.lower()}{n}@example.com")
            for k in range(items):
                cls._invoice(partner, 100.0 + k, due=cls.DUE - timedelta(days=k))
            partners |= partner
        return partners

    def _noon(self):
        # 12:00 UTC is 09:00 in São Paulo: inside the send window
        return freeze_time(datetime.combine(self.day, time(12)))

    def _invalidate(self):
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # One batch of the run
    # ------------------------------------------------------------------

    def test_one_batch_costs_the_same_whatever_its_size(self):
        """1 customer with 1 item, 2 with 1 item and 5 with 3 items: the same queries.

        A batch claims its customers, locks their lines, re-checks every item,
        renders one e-mail per customer, creates the messages, e-mails and chatter
        notes, each in one statement per kind (no query per customer or item).
        """
        with self._noon():
            # the run is a system process (_run_dunning runs it as superuser)
            Run = self.Run.sudo()
            Run._prepare_runs(self.company, date=self.day)
            # the first batch of a process fills the metadata caches (rules,
            # templates compiled): not what a batch costs
            done, _remaining = Run._process_batch(self.company, batch_size=1)
            self.assertEqual(done, 1)
            for size in (2, 5):
                self._invalidate()
                with self.assertQueryCount(BATCH_QUERIES):
                    done, _remaining = Run._process_batch(self.company, batch_size=size)
                self.assertEqual(done, size)
        lines = self._lines(self.env["account.move"].search([("partner_id", "in", self.large.ids)]))
        self.assertEqual(len(lines), 15)
        self.assertEqual(set(lines.mapped("state")), {"sent"})

    # ------------------------------------------------------------------
    # The forms
    # ------------------------------------------------------------------

    def _cobranca_spec(self, model, view_ref=None):
        """The web client's specification of the cobrança fields of a form view."""
        views = self.env[model].get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        spec = {}
        fields = self.env[model]._fields
        for node in arch.iter("field"):
            name = node.get("name")
            if not name.startswith("cobranca") or node.getparent().tag in ("list", "tree"):
                continue
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue
            field = fields[name]
            if field.type == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            elif field.type in ("one2many", "many2many"):
                sub = {}
                comodel = self.env[field.comodel_name]._fields
                for child in node.iter("field"):
                    if child is node:
                        continue
                    child_field = comodel[child.get("name")]
                    sub[child.get("name")] = (
                        {"fields": {"display_name": {}}} if child_field.type == "many2one" else {}
                    )
                spec[name] = {"fields": sub or {"display_name": {}}}
            else:
                spec[name] = {}
        self.assertTrue(spec)
        return spec

    def _dunned_invoice(self, partner):
        with self._noon():
            self.Run._run_dunning(date=self.day, companies=self.company)
        return self.env["account.move"].search([("partner_id", "=", partner.id)], limit=1)

    def test_invoice_form(self):
        """The invoice form's cobrança fields: level, dates, lines, contacts, credit."""
        spec = self._cobranca_spec("account.move")
        self.assertIn("cobranca_line_ids", spec)
        invoice = self._dunned_invoice(self.large[0])
        invoice.web_read(spec)  # metadata caches
        self._invalidate()
        with self.assertQueryCount(INVOICE_FORM_QUERIES):
            values = invoice.web_read(spec)
        self.assertEqual(len(values[0]["cobranca_line_ids"]), 1)

    def test_customer_form(self):
        """The customer form's cobrança fields: policy, history, credit status."""
        spec = self._cobranca_spec("res.partner")
        self.assertIn("cobranca_credit_status", spec)
        self._dunned_invoice(self.large[0])
        customer = self.large[0]
        customer.web_read(spec)
        self._invalidate()
        with self.assertQueryCount(CUSTOMER_FORM_QUERIES):
            values = customer.web_read(spec)
        self.assertEqual(len(values[0]["cobranca_message_ids"]), 1)

    def test_credit_status_of_a_list(self):
        """The credit status badge of a list of customers: the same for 2 and 5."""
        self.small.mapped("cobranca_credit_status")  # metadata caches
        for customers in (self.small, self.large):
            self._invalidate()
            with self.assertQueryCount(CREDIT_STATUS_QUERIES):
                customers.mapped("cobranca_credit_status")

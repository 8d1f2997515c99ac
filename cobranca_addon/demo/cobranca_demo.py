"""Realistic Brazilian demo data, loaded with the module's demo data.

Like ``account/demo/account_demo.py``, the data is built through the ORM because
part of it is a story over time: invoices of various ages, instalments, payments
made between reminders, a dispute, and the régua run day by day over the last
weeks so that a newcomer finds it already working.
"""

import socket
from datetime import date, datetime, time, timedelta

from odoo import Command, api, fields, models, modules

# Valid CNPJ/CPF numbers (check digits computed), fictitious companies and people.
CREDITOR = {
    "name": "Comercial Paulista de Alimentos Ltda",
    "vat": "11.222.333/0001-81",
    "street": "Av. Paulista, 1000",
    "street2": "Bela Vista",
    "city": "São Paulo",
    "zip": "01310-100",
    "phone": "+55 11 3333-4444",
    "email": "cobranca@comercialpaulista.com.br",
    "state": "SP",
}

CUSTOMERS = {
    "mercado": {
        "name": "Mercado Bom Preço Ltda",
        "vat": "45.678.912/0001-55",
        "city": "São Paulo",
        "state": "SP",
        "street": "Rua Augusta, 1500",
        "zip": "01304-001",
        "email": "financeiro@mercadobompreco.com.br",
        "phone": "+55 11 3255-1000",
    },
    "padaria": {
        "name": "Padaria Pão Quente Ltda",
        "vat": "23.145.879/0001-65",
        "city": "Campinas",
        "state": "SP",
        "street": "Av. Norte-Sul, 230",
        "zip": "13025-320",
        "email": "contato@paoquente.com.br",
        "phone": "+55 19 3242-7788",
    },
    "restaurante": {
        "name": "Restaurante Sabor Mineiro Ltda",
        "vat": "60.701.190/0001-04",
        "city": "Belo Horizonte",
        "state": "MG",
        "street": "Rua da Bahia, 870",
        "zip": "30160-011",
        "phone": "+55 31 3222-1111",
    },
    "construtora": {
        "name": "Construtora Horizonte S.A.",
        "vat": "33.444.555/0001-81",
        "city": "Rio de Janeiro",
        "state": "RJ",
        "street": "Av. Rio Branco, 120",
        "zip": "20040-001",
        "email": "contas@construtorahorizonte.com.br",
        "phone": "+55 21 2533-9000",
    },
    "maria": {
        "name": "Maria Aparecida Souza",
        "vat": "529.982.247-25",
        "is_company": False,
        "city": "Curitiba",
        "state": "PR",
        "street": "Rua XV de Novembro, 45, ap. 302",
        "zip": "80020-310",
        "email": "maria.souza@example.com.br",
        "mobile": "+55 41 99876-5432",
    },
    "joao": {
        "name": "João Pedro Oliveira",
        "vat": "987.654.321-00",
        "is_company": False,
        "city": "Recife",
        "state": "PE",
        "street": "Rua da Aurora, 300",
        "zip": "50050-000",
        "email": "joao.oliveira@example.com.br",
        "mobile": "+55 81 98765-4321",
    },
    "farmacia": {
        "name": "Farmácia Vida Saudável Ltda",
        "vat": "19.283.746/0001-88",
        "city": "Porto Alegre",
        "state": "RS",
        "street": "Av. Ipiranga, 6681",
        "zip": "90619-900",
        "email": "financeiro@vidasaudavel.com.br",
        "phone": "+55 51 3320-3500",
    },
    "distribuidora": {
        "name": "Distribuidora Norte Sul Ltda",
        "vat": "77.665.544/0001-05",
        "city": "Manaus",
        "state": "AM",
        "street": "Av. Eduardo Ribeiro, 520",
        "zip": "69010-001",
        "email": "cobranca@nortesul.com.br",
        "phone": "+55 92 3622-4400",
    },
    "autopecas": {
        "name": "Auto Peças Rodovia Ltda",
        "vat": "50.123.987/0001-00",
        "city": "Goiânia",
        "state": "GO",
        "street": "Av. Anhanguera, 5000",
        "zip": "74043-011",
        "email": "compras@autopecasrodovia.com.br",
        "phone": "+55 62 3224-0101",
    },
    "papelaria": {
        "name": "Papelaria Central Ltda",
        "vat": "84.512.376/0001-75",
        "city": "Salvador",
        "state": "BA",
        "street": "Av. Sete de Setembro, 1200",
        "zip": "40060-001",
        "email": "financeiro@papelaria",  # invalid: gets phone tasks instead
        "phone": "+55 71 3321-5566",
    },
}

#: (customer, amount, due date offset from today, invoice date offset or None)
INVOICES = [
    ("mercado", 4850.00, -35, None),
    ("mercado", 2120.50, -8, None),
    ("mercado", 1300.00, 2, None),
    ("restaurante", 3480.00, -18, None),
    ("construtora", 18500.00, -12, None),
    ("construtora", 7200.00, -40, None),  # disputed
    ("maria", 389.90, -4, None),
    ("joao", 1250.00, -20, None),  # paid after the first reminder
    ("farmacia", 5600.00, -25, None),  # partly paid
    ("distribuidora", 12340.00, -120, None),  # old debts
    ("distribuidora", 6175.00, -95, None),
    ("autopecas", 860.00, 2, None),
    ("autopecas", 2400.00, 20, None),
    ("papelaria", 740.00, -9, None),
]

#: Payment history of the last months, read by the credit score:
#: (customer, amount, months before today, days paid after the due date)
HISTORY = [
    ("padaria", 2800.00, 8, 0),
    ("padaria", 3100.00, 6, -2),
    ("padaria", 2950.00, 4, 0),
    ("mercado", 3900.00, 9, 0),
    ("mercado", 4200.00, 6, 3),
    ("mercado", 4100.00, 3, 0),
    ("restaurante", 2100.00, 7, 12),
    ("restaurante", 1900.00, 4, 8),
    ("construtora", 15000.00, 8, 25),
    ("construtora", 9800.00, 5, 18),
    ("distribuidora", 8000.00, 10, 45),
    ("distribuidora", 7400.00, 7, 60),
    ("farmacia", 3300.00, 5, 1),
    ("autopecas", 1800.00, 9, 0),
    ("autopecas", 2250.00, 6, -1),
    ("autopecas", 1950.00, 3, 0),
]

#: The customer's address and browser in the demo's acknowledgements
#: (203.0.113.0/24 is reserved for documentation, RFC 5737).
DEMO_VISITOR = ("203.0.113.10", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0")

#: First day of the replayed régua, in days before today.
REPLAY_DAYS = 46


class CobrancaDemo(models.AbstractModel):
    _name = "cobranca.demo"
    _description = "Cobrança: Demo Data"

    @api.model
    def _load_demo(self, company=None, today=None):
        """Build the demo on ``company`` (default: the main company).

        :return: dict of the created customers and invoices by key
        """
        company = company or self.env.ref("base.main_company")
        today = today or fields.Date.context_today(self)
        env = self.with_company(company).env
        self._demo_creditor(company)
        customers = self._demo_customers(company)
        self._demo_history(company, customers, today)
        policy_b2b = self._demo_policies(company, customers)
        invoices = self._demo_invoices(company, customers, today)
        self._demo_credit_note(company, customers["mercado"], today)
        # what happens over the weeks: payments between the daily runs
        events = {
            today - timedelta(days=46): [("pay", invoices["padaria_1"], 3600.00)],
            today - timedelta(days=22): [("pay", invoices["farmacia"], 2000.00)],
            today - timedelta(days=16): [("pay", invoices["joao"], None)],
        }
        contacts = self._demo_contacts(customers, invoices, today)
        Run = env["cobranca.run"]
        for offset in range(REPLAY_DAYS, -1, -1):
            day = today - timedelta(days=offset)
            for _kind, invoice, amount in events.get(day, []):
                self._demo_pay(invoice, amount, day)
            for contact in contacts.get(day, []):
                contact(day)
            result = Run._run_dunning(date=day, companies=company, trigger="cron")
            if day < today:
                self._demo_deliver(result["runs"])
        # the nightly credit score; customers to watch may not buy on credit here
        self.env.ref("cobranca_addon.cobranca_credit_policy_watch").action = "block_sale"
        env["cobranca.partner.score"]._score_company(company, today=today)
        return {"customers": customers, "invoices": invoices, "policy_b2b": policy_b2b}

    @api.model
    def _demo_contacts(self, customers, invoices, today):
        """What the collector did over the weeks: calls, promises (one kept later by
        an agreement, one broken), a dispute, an agreement confirmed and one
        offered, as ``{day: [callable(day)]}``."""
        Negotiation = self.env["cobranca.negotiation"]

        def log(partner, moves, outcome, note, **values):
            def create(day):
                Negotiation.create(
                    {
                        "partner_id": partner.id,
                        "move_ids": [Command.set(moves.ids)],
                        "date": datetime.combine(day, time(14, 30)),
                        "channel": values.pop("channel", "phone"),
                        "outcome": outcome,
                        "note": note,
                        **values,
                    }
                )

            return create

        def agreement(partner, lines, confirm, **values):
            def create(day):
                wizard = self.env["cobranca.agreement.wizard"].create(
                    {
                        "partner_id": partner.id,
                        "move_line_ids": [Command.set(lines.ids)],
                        "date": day,
                        **values,
                    }
                )
                record = self.env["cobranca.agreement"].create(
                    self.env["cobranca.agreement"]._values_from_terms(
                        wizard, wizard._compute_terms()
                    )
                )
                if confirm:
                    record._confirm(channel="phone", day=day)
                else:
                    record._portal_ensure_token()

            return create

        def receivables(moves):
            return moves.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable" and not line.reconciled
            )

        restaurante, construtora = customers["restaurante"], customers["construtora"]
        return {
            today - timedelta(days=15): [
                log(restaurante, invoices["restaurante"], "no_answer", "Ninguém atendeu."),
            ],
            today - timedelta(days=14): [
                log(
                    restaurante,
                    invoices["restaurante"],
                    "promise",
                    "O sócio prometeu pagar na sexta-feira.",
                    promise_date=today - timedelta(days=10),
                    promise_amount=3480.00,
                ),
            ],
            today - timedelta(days=REPLAY_DAYS): [
                log(
                    construtora,
                    invoices["construtora_2"],
                    "dispute",
                    "Medição da obra contestada pelo cliente.",
                    channel="email",
                ),
            ],
            today - timedelta(days=6): [
                log(
                    customers["mercado"],
                    invoices["mercado_2"],
                    "promise",
                    "Vai pagar a NF junto com o próximo pedido.",
                    promise_date=today + timedelta(days=3),
                    promise_amount=2120.50,
                    channel="whatsapp",
                ),
            ],
            today - timedelta(days=5): [
                agreement(
                    customers["farmacia"],
                    receivables(invoices["farmacia"]),
                    True,
                    instalment_count=3,
                    first_due=today + timedelta(days=5),
                ),
            ],
            today - timedelta(days=2): [
                agreement(
                    customers["distribuidora"],
                    receivables(invoices["distribuidora"] | invoices["distribuidora_2"]),
                    False,
                    instalment_count=6,
                    first_due=today + timedelta(days=7),
                    discount_amount=500.00,
                ),
            ],
        }

    @api.model
    def _demo_history(self, company, customers, today):
        """Invoices of the last months, paid on time or late (see ``HISTORY``)."""
        values_list, payments = [], []
        for customer, amount, months, days_late in HISTORY:
            due = today - timedelta(days=30 * months)
            values_list.append(
                self._demo_invoice_values(
                    customers[customer], amount, due - timedelta(days=28), due
                )
            )
            payments.append(due + timedelta(days=days_late))
        moves = self.env["account.move"].with_company(company).create(values_list)
        moves.action_post()
        for move, day in zip(moves, payments, strict=True):
            self._demo_pay(move, None, day)

    @api.model
    def _demo_register(self, name, record):
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": f"cobranca_addon.{name}", "record": record, "noupdate": True}]
        )

    @api.model
    def _demo_state(self, code):
        return self.env["res.country.state"].search(
            [("country_id.code", "=", "BR"), ("code", "=", code)], limit=1
        )

    @api.model
    def _demo_creditor(self, company):
        values = {key: value for key, value in CREDITOR.items() if key != "state"}
        values["country_id"] = self.env.ref("base.br").id
        values["state_id"] = self._demo_state(CREDITOR["state"]).id
        company.write(values)

    @api.model
    def _demo_customers(self, company):
        brazil = self.env.ref("base.br")
        lang = "pt_BR" if self.env["res.lang"]._lang_get("pt_BR") else self.env.lang
        identification = {
            True: self.env.ref("l10n_br.cnpj", raise_if_not_found=False),
            False: self.env.ref("l10n_br.cpf", raise_if_not_found=False),
        }
        values_list = []
        for data in CUSTOMERS.values():
            values = {key: value for key, value in data.items() if key != "state"}
            values.setdefault("is_company", True)
            values.update(
                country_id=brazil.id,
                state_id=self._demo_state(data["state"]).id,
                lang=lang,
                customer_rank=1,
            )
            kind = identification[values["is_company"]]
            if kind and "l10n_latam_identification_type_id" in self.env["res.partner"]._fields:
                values["l10n_latam_identification_type_id"] = kind.id
            values_list.append(values)
        partners = self.env["res.partner"].create(values_list)
        customers = dict(zip(CUSTOMERS, partners, strict=True))
        for key, partner in customers.items():
            self._demo_register(f"demo_partner_{key}", partner)
        contact = self.env["res.partner"].create(
            {
                "name": "Contas a Pagar",
                "type": "invoice",
                "parent_id": customers["mercado"].id,
                "email": "contasapagar@mercadobompreco.com.br",
                "lang": lang,
            }
        )
        self._demo_register("demo_partner_mercado_invoice", contact)
        return customers

    @api.model
    def _demo_policies(self, company, customers):
        admin = self.env.ref("base.user_admin")
        policy = company.cobranca_policy_id or self.env.ref(
            "cobranca_addon.cobranca_policy_default"
        )
        policy.write({"collector_id": admin.id, "thank_you": True})
        self.env["cobranca.holiday"].create(
            {
                "name": "Aniversário da cidade de São Paulo",
                "date": date(fields.Date.context_today(self).year, 1, 25),
                "company_id": company.id,
            }
        )
        b2b = self.env["cobranca.policy"].create(
            {
                "name": "Régua B2B rigorosa",
                "company_id": company.id,
                "min_interval_days": 2,
                "collector_id": admin.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Pagamento não identificado",
                            "days": 1,
                            "mail_template_id": self.env.ref(
                                "cobranca_addon.mail_template_cobranca_overdue"
                            ).id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Ligação e WhatsApp do gerente de contas",
                            "days": 5,
                            "channel_email": False,
                            "channel_phone": True,
                            "channel_whatsapp": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Notificação formal",
                            "days": 10,
                            "channel_email": False,
                            "channel_ar_email": True,
                            "channel_letter": True,
                            "is_notice": True,
                            "mail_template_id": self.env.ref(
                                "cobranca_addon.mail_template_cobranca_formal_notice"
                            ).id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Negativação",
                            "days": 25,
                            "channel_email": False,
                            "escalation": "negativacao",
                        }
                    ),
                ],
            }
        )
        self._demo_register("demo_policy_b2b", b2b)
        for key in ("construtora", "distribuidora"):
            customers[key].with_company(company).cobranca_policy_id = b2b
        return b2b

    @api.model
    def _demo_invoices(self, company, customers, today):
        Move = self.env["account.move"].with_company(company)
        values_list, keys, seen = [], [], {}
        for customer, amount, due, _invoice_date in INVOICES:
            seen[customer] = seen.get(customer, 0) + 1
            keys.append(customer if seen[customer] == 1 else f"{customer}_{seen[customer]}")
            values_list.append(
                self._demo_invoice_values(
                    customers[customer],
                    amount,
                    today - timedelta(days=30 - due),
                    today + timedelta(days=due),
                )
            )
        # three instalments, 30/60/90 days: the first paid, the second overdue
        term = self.env["account.payment.term"].create(
            {
                "name": "30/60/90 dias",
                "company_id": company.id,
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 40, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 30, "nb_days": 60}),
                    Command.create({"value": "percent", "value_amount": 30, "nb_days": 90}),
                ],
            }
        )
        self._demo_register("demo_payment_term_30_60_90", term)
        instalments = self._demo_invoice_values(
            customers["padaria"], 9000.00, today - timedelta(days=75), None
        )
        instalments["invoice_payment_term_id"] = term.id
        values_list.append(instalments)
        keys.append("padaria_1")
        moves = Move.create(values_list)
        moves.action_post()
        invoices = dict(zip(keys, moves, strict=True))
        for key, move in invoices.items():
            self._demo_register(f"demo_invoice_{key}", move)
        return invoices

    @api.model
    def _demo_invoice_values(self, partner, amount, invoice_date, due_date):
        values = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "date": invoice_date,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Fornecimento de mercadorias",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        if due_date:
            values["invoice_date_due"] = due_date
        return values

    @api.model
    def _demo_credit_note(self, company, partner, today):
        refund = (
            self.env["account.move"]
            .with_company(company)
            .create(
                dict(
                    self._demo_invoice_values(partner, 300.00, today - timedelta(days=10), None),
                    move_type="out_refund",
                    invoice_date_due=today - timedelta(days=10),
                )
            )
        )
        refund.action_post()
        self._demo_register("demo_credit_note_mercado", refund)
        return refund

    @api.model
    def _demo_deliver(self, runs):
        """Past reminders show as delivered, as if a mail server had sent them.

        The demo has no outgoing mail server: today's reminders stay in the queue.
        AR-tracked e-mails are really sent, to an SMTP server on loopback started
        for the purpose (when aiosmtpd is installed), so that their evidence is
        real; their customer opened and acknowledged them.
        """
        messages = runs.message_ids.filtered(lambda message: message.state == "queued")
        tracked = messages.filtered(lambda message: message.channel == "ar_email")
        if tracked and self._demo_send_on_loopback(tracked.mail_ids):
            for evidence in tracked.evidence_ids.filtered("raw_message"):
                evidence._record_open(DEMO_VISITOR[0], DEMO_VISITOR[1])
                evidence._record_acknowledgement(DEMO_VISITOR[0], DEMO_VISITOR[1])
            messages -= tracked
        for message in messages:
            message.mail_ids.write({"state": "sent"})
            message.date_sent = fields.Datetime.to_datetime(message.date) + timedelta(hours=9)

    @api.model
    def _demo_send_on_loopback(self, mails):
        """Send ``mails`` to a throw-away SMTP server on 127.0.0.1; False when it
        cannot be started (aiosmtpd missing) or Odoo runs its tests (it sends
        nothing then)."""
        if modules.module.current_test:
            return False
        try:
            from aiosmtpd.controller import Controller  # noqa: PLC0415 - optional
        except ImportError:
            return False

        class Sink:
            async def handle_DATA(self, server, session, envelope):
                return "250 2.0.0 Ok: accepted by the demo's loopback server"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(Sink(), hostname="127.0.0.1", port=port)
        controller.start()
        try:
            session = self.env["ir.mail_server"].connect("127.0.0.1", port, encryption="none")
            mails.sudo()._send(smtp_session=session)
            session.quit()
        finally:
            controller.stop()
        return True

    @api.model
    def _demo_pay(self, invoice, amount, day):
        values = {"payment_date": day}
        if amount:
            values.update(amount=amount, payment_difference_handling="open")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(values)._create_payments()

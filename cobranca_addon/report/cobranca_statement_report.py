import logging
from decimal import Decimal

from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools import encargos, extrato

_logger = logging.getLogger(__name__)


class ReportCobrancaStatement(models.AbstractModel):
    """The customer statement (extrato): the customer's open items in the current
    company, each with its value updated to the date of the statement (late fee,
    interest, monetary correction), the credits that reduce the total, and how to
    pay, with the creditor identified (CDC art. 42-A).

    Rendered for Cobrança users only (and by the mail queue, as superuser, for the
    levels that attach it to their e-mails).
    """

    _name = "report.cobranca_addon.report_cobranca_statement"
    _description = "Customer Statement Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        self._check_statement_access()
        docs = self.env["res.partner"].browse(docids)
        company = self.env.company
        on = company._cobranca_local_now().date()
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": docs,
            "statements": {partner.id: self._statement(partner, company, on) for partner in docs},
        }

    @api.model
    def _check_statement_access(self):
        if not self.env.su and not self.env.user.has_group("cobranca_addon.group_cobranca_user"):
            raise AccessError(self.env._("Only Cobrança users may print customer statements."))

    # ------------------------------------------------------------------
    # What the statement shows
    # ------------------------------------------------------------------

    @api.model
    def _statement(self, partner, company, on):
        """The values of one customer's statement on the date ``on``.

        :return: dict with the customer's ``lang``, the ``partner`` (the
            commercial entity, in that language), ``company``, ``date``,
            ``creditor``, ``groups`` (one per currency, the company's first:
            ``currency``, ``items``, ``credits``, ``totals``), ``banks`` and
            ``uncharged`` (some item is shown without its charges)
        """
        partner = partner.commercial_partner_id
        items = self._open_items(partner, company)
        self._ensure_payment_links(items.move_id)
        debts = items.filtered(lambda item: item.amount_residual_currency > 0)
        charges = self._item_charges(debts, company, partner, on)
        groups = {}
        for item in items:
            currency = item.currency_id
            group = groups.setdefault(
                currency, {"currency": currency, "items": [], "credits": [], "debts": []}
            )
            entry = self._entry(item, on)
            if item in debts:
                value = charges.get(item)
                debt = extrato.Debt(
                    self._amount(entry["residual"], currency),
                    value.charges if value is not None else None,
                )
                group["debts"].append(debt)
                entry.update(
                    charged=value is not None,
                    charges=float(value.charges) if value is not None else 0.0,
                    updated=float(debt.updated),
                )
                group["items"].append(entry)
            else:
                group["credits"].append(entry)
        for group in groups.values():
            totals = extrato.totals(
                group.pop("debts"),
                [self._amount(entry["residual"], group["currency"]) for entry in group["credits"]],
            )
            group["totals"] = {
                "debts": float(totals.debts),
                "credits": float(totals.credits),
                "open": float(totals.open_amount),
                "charges": float(totals.charges),
                "updated": float(totals.updated),
            }
            group["uncharged"] = totals.uncharged
        lang = partner.lang or self.env.lang
        ordered = sorted(
            groups.values(),
            key=lambda group: (group["currency"] != company.currency_id, group["currency"].name),
        )
        return {
            "lang": lang,
            "partner": partner.with_context(lang=lang),
            "company": company,
            "date": on,
            "creditor": company._cobranca_creditor(),
            "groups": ordered,
            "banks": self._bank_accounts(company),
            "uncharged": any(group["uncharged"] for group in ordered),
        }

    @api.model
    def _open_items_domain(self, partner, company):
        """The customer's open items in the company (see
        ``account.move.line._cobranca_open_items_domain``)."""
        return self.env["account.move.line"]._cobranca_open_items_domain(partner, company)

    @api.model
    def _open_items(self, partner, company):
        # the report checked the Cobrança group; the items are the customer's in a
        # company of the user's (env.company)
        items = (
            self.env["account.move.line"]
            .sudo()
            .search(self._open_items_domain(partner, company), order="date_maturity, id")
        )
        items.fetch(
            [
                "move_id",
                "currency_id",
                "amount_currency",
                "amount_residual",
                "amount_residual_currency",
                "date_maturity",
            ]
        )
        return items

    @api.model
    def _entry(self, item, on):
        move = item.move_id
        due = item.date_maturity
        return {
            "item": item,
            "document": move._cobranca_document_name(),
            "instalment": item._cobranca_instalment_label(),
            "date_due": due,
            "amount": abs(item.amount_currency),
            "residual": abs(item.amount_residual_currency),
            "days_late": max(0, (on - due).days) if due else 0,
            "url": move._cobranca_payment_url(),
        }

    @api.model
    def _amount(self, value, currency):
        return Decimal(str(currency.round(value)))

    @api.model
    def _ensure_payment_links(self, moves):
        """Give the invoices and agreements listed a portal access token (their
        payment link), one statement per model."""
        moves = moves.sudo()
        for records in (
            moves.filtered(lambda move: not move.cobranca_agreement_id),
            moves.cobranca_agreement_id,
        ):
            missing = records.filtered(lambda record: not record.access_token)
            if not missing:
                continue
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET access_token = gen_random_uuid()::text "
                    "WHERE id = ANY(%s) AND access_token IS NULL",
                    SQL.identifier(missing._table),
                    missing.ids,
                )
            )
            missing.invalidate_recordset(["access_token"])

    # ------------------------------------------------------------------
    # Late charges
    # ------------------------------------------------------------------

    @api.model
    def _item_charges(self, debts, company, partner, on):
        """``{item: encargos.Charges}`` of the open items on the date ``on``, or
        ``None`` for an item whose charges cannot be computed (an index month
        missing): the statement then shows its open amount alone, with a note."""
        try:
            return self._charges_of(debts, company, partner, on)
        except UserError as error:
            _logger.info(
                "Statement of %s: late charges not computed together (%s)",
                partner.display_name,
                error,
            )
        # one item at a time: the recent ones may need no missing month
        result = {}
        for item in debts:
            try:
                result.update(self._charges_of(item, company, partner, on))
            except UserError:
                result[item] = None
        return result

    @api.model
    def _charges_of(self, items, company, partner, on):
        """Charges of items in the company currency as every feature computes them
        (``account.move.line._cobranca_charges``); items in another currency with
        the same rules, in their currency."""
        own = items.filtered(lambda item: item.currency_id == company.currency_id)
        result = dict(own._cobranca_charges(on)) if own else {}
        foreign = items - own
        if foreign:
            oldest = min(item.date_maturity or on for item in foreign)
            rules = company._cobranca_charge_rules(partner, oldest, on)
            for item in foreign:
                currency = item.currency_id
                result[item] = encargos.updated_value(
                    self._amount(item.amount_residual_currency, currency),
                    item.date_maturity or on,
                    on,
                    rules,
                    rounding=Decimal(str(currency.rounding)),
                )
        return result

    # ------------------------------------------------------------------
    # How to pay
    # ------------------------------------------------------------------

    @api.model
    def _bank_accounts(self, company):
        """The company's bank accounts, with their Pix key when the Brazilian
        localisation gives them one (``proxy_type``/``proxy_value``)."""
        accounts = company.partner_id.sudo().bank_ids.filtered(
            lambda bank: not bank.company_id or bank.company_id == company
        )
        result = []
        for bank in accounts:
            entry = {
                "bank": bank.bank_id.name or "",
                "bank_code": bank.bank_id.bic or "",
                "agency": bank["bra_number"] if "bra_number" in bank._fields else "",
                "account": bank.acc_number,
                "holder": bank.acc_holder_name or company.name,
                "pix_key": "",
                "pix_type": "",
            }
            if (
                "proxy_type" in bank._fields
                and "proxy_value" in bank._fields
                and bank.proxy_value
                and bank.proxy_type not in (False, "none")
            ):
                types = dict(bank._fields["proxy_type"]._description_selection(self.env))
                entry.update(pix_key=bank.proxy_value, pix_type=types.get(bank.proxy_type, ""))
            result.append(entry)
        return result

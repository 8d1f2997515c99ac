import logging

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..tools import entrada

_logger = logging.getLogger(__name__)


class CobrancaPortal(CustomerPortal):
    """The customer's page of an agreement: the items with their updated values,
    the instalments and the CDC art. 52 disclosure; an offer is accepted here.

    Reached with the agreement's access token (a link in the e-mail). A wrong
    id or token, of this customer or another, always gets the same "not found"
    page: it tells nothing about what exists. Tokens are compared in constant
    time (``CustomerPortal._document_check_access``).
    """

    def _cobranca_agreement(self, agreement_id, access_token):
        """The agreement (sudo) if the token opens it, else ``None``.

        Tokens are printable ASCII (Odoo's ``consteq`` compares no other text: a
        token with an accent or a control character would crash it).
        """
        if (
            not isinstance(access_token, str)
            or not access_token
            or len(access_token) > 128
            or not access_token.isascii()
            or not access_token.isprintable()
        ):
            return None
        try:
            return self._document_check_access("cobranca.agreement", agreement_id, access_token)
        except (AccessError, MissingError):
            return None

    @http.route(
        "/my/cobranca/agreement/<int:agreement_id>",
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
    )
    def cobranca_agreement_page(self, agreement_id, access_token=None, report_type=None, **kw):
        agreement = self._cobranca_agreement(agreement_id, access_token)
        if agreement is None:
            raise request.not_found()
        if report_type == "pdf":
            return self._show_report(
                agreement,
                "pdf",
                "cobranca_addon.action_report_cobranca_agreement",
                download=kw.get("download") == "true",
            )
        lang = agreement.partner_id.lang or request.env.lang
        agreement = agreement.with_context(lang=lang)
        values = {
            "agreement": agreement,
            "doc": agreement._document_values(),
            "currency": agreement.currency_id,
            "company": agreement.company_id,
            "access_token": access_token,
            "can_accept": agreement._portal_can_accept(),
            "message": kw.get("message") if kw.get("message") in ("accepted", "error") else None,
            "page_name": "cobranca_agreement",
        }
        return request.render("cobranca_addon.portal_cobranca_agreement", values)

    @http.route(
        "/my/cobranca/agreement/<int:agreement_id>/accept",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def cobranca_agreement_accept(self, agreement_id, access_token=None, **kw):
        agreement = self._cobranca_agreement(agreement_id, access_token)
        if agreement is None:
            raise request.not_found()
        url = f"/my/cobranca/agreement/{agreement.id}?access_token={agreement.access_token}"
        if not agreement._portal_can_accept():
            return request.redirect(url + "&message=error")
        try:
            agreement._accept_online(
                ip=request.httprequest.remote_addr,
                user_agent=entrada.printable(request.httprequest.user_agent.string, 512),
            )
        except UserError:
            _logger.info("Agreement %s could not be accepted online", agreement.id)
            return request.redirect(url + "&message=error")
        return request.redirect(url + "&message=accepted")

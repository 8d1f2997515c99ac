import base64
import logging

from odoo import http
from odoo.http import request
from odoo.tools import format_amount, format_date

from ..tools import entrada

_logger = logging.getLogger(__name__)

#: A transparent 1×1 GIF: what the tracking image always answers.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


class CobrancaEvidenceController(http.Controller):
    """The public routes of AR-tracked e-mails: the tracking image and the
    acknowledgement page ("Confirmo o recebimento").

    Each needs the evidence's own unguessable token, compared in constant time.
    The image answers the same transparent pixel to any request, good or bad;
    the page answers the same "not found" to any wrong id or token: neither
    tells whether an evidence exists, and a token opens one evidence only.
    """

    def _evidence(self, evidence_id, token):
        if (
            not isinstance(token, str)
            or not token
            or len(token) > 128
            or not token.isascii()
            or not token.isprintable()
        ):
            return None
        evidence = request.env["cobranca.evidence"].sudo().browse(evidence_id).exists()
        if not evidence or not evidence._check_token(token):
            return None
        return evidence

    @staticmethod
    def _visitor():
        """The visitor's IP address and browser, as recorded in the evidence: the
        user agent is what the browser says, so it is kept printable (a control
        character, NUL above all, cannot be stored) and short."""
        http_request = request.httprequest
        return http_request.remote_addr, entrada.printable(http_request.user_agent.string, 512)

    @http.route(
        "/cobranca/ar/<int:evidence_id>/<string:token>/i.png",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def cobranca_evidence_image(self, evidence_id, token, **kwargs):
        evidence = self._evidence(evidence_id, token)
        if evidence is not None:
            try:
                with request.env.cr.savepoint():
                    evidence._record_open(*self._visitor())
            except Exception:
                _logger.exception("Could not record the opening of evidence %s", evidence_id)
        return request.make_response(
            PIXEL,
            headers=[
                ("Content-Type", "image/gif"),
                ("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0"),
                ("Pragma", "no-cache"),
            ],
        )

    @http.route(
        "/cobranca/ar/<int:evidence_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def cobranca_evidence_page(self, evidence_id, token, **kwargs):
        evidence = self._evidence(evidence_id, token)
        if evidence is None:
            raise request.not_found()
        ip, user_agent = self._visitor()
        if request.httprequest.method == "POST":
            evidence._record_acknowledgement(ip, user_agent)
        else:
            evidence._record_view(ip, user_agent)
        lang = evidence.recipient_id.lang or evidence.partner_id.lang or request.env.lang
        env = request.env(context=dict(request.env.context, lang=lang))
        return request.render(
            "cobranca_addon.portal_cobranca_evidence",
            {
                "evidence": evidence.with_env(env).sudo(),
                "reminder": evidence.message_id.with_env(env).sudo(),
                "token": token,
                "plain": True,
                "format_amount": lambda amount, currency: format_amount(env, amount, currency),
                "format_date": lambda value: format_date(env, value),
            },
        )

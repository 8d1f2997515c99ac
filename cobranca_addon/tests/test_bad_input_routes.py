"""Every public route of the module fed malformed and hostile requests, through
HTTP: wrong, empty, huge and other customers' tokens, other ids, ids that are not
numbers, extra and wrong-typed parameters, no CSRF token, the wrong method.

Each answers a clear error — the same "not found" page whatever was wrong (it
tells nothing about what exists), the same transparent pixel for the tracking
image — and changes nothing: no event, no acceptance, no state."""

import re
from datetime import timedelta

import requests

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.cobranca_addon.controllers.evidence import PIXEL

from .security_common import SecurityCommon

#: Values of a token (or of an id in the path) that must open nothing.
HOSTILE = (
    "",
    "wrong",
    "x" * 129,
    "x" * 5000,
    "%00",
    "a%00b",
    "%27%20OR%201%3D1--",
    "<script>alert(1)</script>",
    "..%2F..%2Fetc%2Fpasswd",
    "%E2%80%AE",
)
#: In a path, a token is one segment: without "/" (which makes another URL), and
#: without NUL, which Odoo itself refuses before any route of the module (its
#: fallback for unknown paths cannot look a NUL up: a 500, changing nothing).
SEGMENTS = tuple(token for token in HOSTILE if token and "/" not in token and "%2F" not in token)
PATH_HOSTILE = tuple(token for token in SEGMENTS if "%00" not in token)
#: Ids that are not an agreement's or an evidence's.
BAD_IDS = ("0", "-1", "999999999", "99999999999999999999999999", "abc", "1.5", "1e3", "%20")


def page_text(response):
    """The page without its session's CSRF token (which differs per session)."""
    return re.sub(r"csrf_token: \"\w+\"", "", response.text)


@tagged("post_install", "-at_install")
class TestBadInputRoutes(SecurityCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_offer = cls._agreement(cls._invoice(cls.customer, 80.0))
        cls.offer._portal_ensure_token()
        cls.other_evidence = cls.env["cobranca.evidence"]._prepare_for(cls.call)
        cls.token = cls.evidence.sudo().token
        cls.other_token = cls.other_evidence.sudo().token

    def setUp(self):
        super().setUp()
        # HTTP requests are answered on their own cursor: everything set up must be
        # in the database
        self.env.flush_all()

    def _state(self):
        """What a bad request must not change."""
        self.env.invalidate_all()
        return {
            "offers": (self.offer.state, self.other_offer.state),
            "accepted": (self.offer.accepted_online, self.offer.accepted_ip),
            "moves": self.env["account.move"].search_count([]),
            "contacts": self.env["cobranca.negotiation"].search_count([]),
            "events": self.env["cobranca.evidence.event"].search_count([]),
            "acknowledged": (
                self.evidence.date_acknowledged,
                self.other_evidence.date_acknowledged,
            ),
            "opened": (self.evidence.date_opened, self.other_evidence.date_opened),
        }

    def assertRefusedByTheServer(self, url, **kwargs):
        """The server itself refuses the request (an error status, or it closes
        the connection), and nothing changed."""
        before = self._state()
        try:
            # the HTTP server logs the refusal (431 "Line too long", 414) as an
            # error from its own thread: expected here, not a fault of the module
            with mute_logger("werkzeug", "odoo.service.server", "odoo.http"):
                response = self.url_open(url, **kwargs)
        except requests.exceptions.ConnectionError as error:
            self.assertIn("aborted", str(error))
        else:
            self.assertGreaterEqual(response.status_code, 400)
            self.assertNotIn(self.offer.name, response.text)
        self.assertEqual(self._state(), before)

    def _csrf(self):
        page = self.url_open(
            f"/my/cobranca/agreement/{self.offer.id}?access_token={self.offer.access_token}"
        )
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    # ------------------------------------------------------------------
    # /my/cobranca/agreement/<id> and /accept
    # ------------------------------------------------------------------

    def test_agreement_page(self):
        before = self._state()
        offer, other = self.offer, self.other_offer
        not_found = self.url_open(f"/my/cobranca/agreement/{offer.id}?access_token=wrong")
        self.assertEqual(not_found.status_code, 404)
        urls = [f"/my/cobranca/agreement/{offer.id}"]
        urls += [f"/my/cobranca/agreement/{offer.id}?access_token={token}" for token in HOSTILE]
        urls += [
            # another customer's token, or this token on another customer's offer
            f"/my/cobranca/agreement/{offer.id}?access_token={other.access_token}",
            f"/my/cobranca/agreement/{other.id}?access_token={offer.access_token}",
            # the token twice, a wrong one first; a token in the wrong parameter
            f"/my/cobranca/agreement/{offer.id}?access_token=x&access_token={offer.access_token}",
            f"/my/cobranca/agreement/{offer.id}?token={offer.access_token}",
            # extra parameters do not open anything
            f"/my/cobranca/agreement/{offer.id}?access_token=x&report_type=pdf&download=true",
            f"/my/cobranca/agreement/{offer.id}?access_token=x&message=accepted",
            # an evidence's token does not open an agreement
            f"/my/cobranca/agreement/{offer.id}?access_token={self.token}",
        ]
        urls += [
            f"/my/cobranca/agreement/{bad}?access_token={offer.access_token}" for bad in BAD_IDS
        ]
        for url in urls:
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertEqual(page_text(response), page_text(not_found), url)
            self.assertNotIn(offer.partner_id.name, response.text, url)
            self.assertNotIn(offer.name, response.text, url)
        # a token far too long for a URL (100,000 characters): refused by the server
        # itself, before Odoo (an error status, or the connection closed)
        self.assertRefusedByTheServer(
            f"/my/cobranca/agreement/{offer.id}?access_token={'x' * 100_000}"
        )
        self.assertEqual(self._state(), before)
        # the good token still opens the page; a hostile message parameter is ignored
        good = self.url_open(
            f"/my/cobranca/agreement/{offer.id}?access_token={offer.access_token}"
            "&message=%3Cscript%3Ealert(1)%3C/script%3E&report_type=html"
        )
        self.assertEqual(good.status_code, 200)
        self.assertIn(offer.name, good.text)
        self.assertNotIn("<script>alert(1)</script>", good.text)

    def test_agreement_acceptance(self):
        before = self._state()
        offer, other = self.offer, self.other_offer
        accept = f"/my/cobranca/agreement/{offer.id}/accept"
        csrf = self._csrf()
        # no CSRF token, or a wrong one: refused before anything is read
        with mute_logger("odoo.http"):
            for data in (
                {"access_token": offer.access_token},
                {"access_token": offer.access_token, "csrf_token": "wrong"},
                {"access_token": offer.access_token, "csrf_token": ""},
            ):
                response = self.url_open(accept, data=data)
                self.assertEqual(response.status_code, 400, data)
        # GET, PUT, DELETE on the POST-only route
        for method in ("GET", "PUT", "DELETE"):
            response = self.opener.request(
                method,
                self.base_url() + accept + f"?access_token={offer.access_token}",
                timeout=30,
            )
            self.assertIn(response.status_code, (404, 405), method)
        # every wrong token, id, and another customer's token, with a good CSRF token
        not_found = self.url_open(accept, data={"csrf_token": csrf, "access_token": "wrong"})
        self.assertEqual(not_found.status_code, 404)
        for data_token in (*HOSTILE, other.access_token, self.token):
            response = self.url_open(accept, data={"csrf_token": csrf, "access_token": data_token})
            self.assertEqual(response.status_code, 404, data_token)
            self.assertEqual(page_text(response), page_text(not_found))
        for bad in BAD_IDS:
            response = self.url_open(
                f"/my/cobranca/agreement/{bad}/accept",
                data={"csrf_token": csrf, "access_token": offer.access_token},
            )
            self.assertEqual(response.status_code, 404, bad)
        response = self.url_open(
            f"/my/cobranca/agreement/{other.id}/accept",
            data={"csrf_token": csrf, "access_token": offer.access_token},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._state(), before)
        # an expired offer, with its own token: refused with the error message (its
        # validity ended yesterday in the company's time zone, whatever UTC says)
        company_today = offer.company_id._cobranca_local_now().date()
        self.offer.sudo().valid_until = company_today - timedelta(days=1)
        self.env.flush_all()
        response = self.url_open(
            accept, data={"csrf_token": csrf, "access_token": offer.access_token}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("can no longer be accepted", response.text)
        self.assertEqual(self._state(), before)

    def test_acceptance_with_a_hostile_browser(self):
        """What the browser says is recorded printable: a NUL in the user agent
        would not even be stored."""
        offer = self.other_offer
        offer._portal_ensure_token()
        self.env.flush_all()
        page = self.url_open(f"/my/cobranca/agreement/{offer.id}?access_token={offer.access_token}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/my/cobranca/agreement/{offer.id}/accept",
            data={"csrf_token": csrf, "access_token": offer.access_token, "state": "kept"},
            headers={"User-Agent": "Navegador\x00<script>\x07/1.0"},
        )
        self.assertEqual(response.status_code, 200)
        offer.invalidate_recordset()
        self.assertEqual(offer.state, "active")
        self.assertEqual(offer.accepted_user_agent, "Navegador<script>/1.0")

    # ------------------------------------------------------------------
    # /cobranca/ar/<id>/<token> and its image
    # ------------------------------------------------------------------

    def test_acknowledgement_page(self):
        before = self._state()
        evidence = self.evidence
        not_found = self.url_open(f"/cobranca/ar/{evidence.id}/wrong")
        self.assertEqual(not_found.status_code, 404)
        urls = [f"/cobranca/ar/{evidence.id}/{token}" for token in PATH_HOSTILE]
        urls += [
            f"/cobranca/ar/{evidence.id}/{self.other_token}",
            f"/cobranca/ar/{self.other_evidence.id}/{self.token}",
            f"/cobranca/ar/{evidence.id}/{self.token}x",
            f"/cobranca/ar/{evidence.id}/{self.token[:-1]}",
            f"/cobranca/ar/{evidence.id}/{self.offer.access_token}",
        ]
        urls += [f"/cobranca/ar/{bad}/{self.token}" for bad in BAD_IDS]
        for url in urls:
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertEqual(page_text(response), page_text(not_found), url)
            self.assertNotIn(evidence.name, response.text, url)
            self.assertNotIn(self.customer.name, response.text, url)
        with mute_logger("odoo.http", "odoo.sql_db"):
            for token in ("%00", "a%00b"):
                response = self.url_open(f"/cobranca/ar/{evidence.id}/{token}")
                self.assertGreaterEqual(response.status_code, 400, token)
                self.assertNotIn(evidence.name, response.text)
        csrf = self._csrf()
        with mute_logger("odoo.http"):
            for data in ({"confirm": "1"}, {"csrf_token": "wrong"}):
                response = self.url_open(f"/cobranca/ar/{evidence.id}/{self.token}", data=data)
                self.assertEqual(response.status_code, 400)
        for token in ("wrong", self.other_token, "x" * 200):
            response = self.url_open(
                f"/cobranca/ar/{evidence.id}/{token}", data={"csrf_token": csrf}
            )
            self.assertEqual(response.status_code, 404)
        for method in ("PUT", "DELETE"):
            response = self.opener.request(
                method, self.base_url() + f"/cobranca/ar/{evidence.id}/{self.token}", timeout=30
            )
            self.assertIn(response.status_code, (404, 405), method)
        self.assertEqual(self._state(), before)

    def test_acknowledgement_with_a_hostile_browser(self):
        """The IP and browser recorded are the visitor's, whatever they send: a
        user agent with control characters or of 100,000 characters is kept
        short and clean, and the page answers."""
        events = self.evidence.event_ids
        url = f"/cobranca/ar/{self.evidence.id}/{self.token}"
        # a header of 100,000 characters is refused by the server itself
        self.assertRefusedByTheServer(url, headers={"User-Agent": "A" * 100_000})
        for agent in ("Mozilla\x00/5.0\x01\x7f", "A" * 60_000, "<script>alert(1)</script>"):
            response = self.url_open(
                f"/cobranca/ar/{self.evidence.id}/{self.token}", headers={"User-Agent": agent}
            )
            self.assertEqual(response.status_code, 200, agent[:20])
            self.assertNotIn("<script>alert(1)</script>", response.text)
        self.evidence.invalidate_recordset()
        new = self.evidence.event_ids - events
        self.assertEqual(new.mapped("kind"), ["viewed"], "one view an hour")
        self.assertLessEqual(len(new.user_agent), 512)
        self.assertFalse(re.search(r"[\x00-\x1f\x7f]", new.user_agent))
        self.assertEqual(self.evidence.verify_integrity(), {self.evidence.id: []})

    def test_tracking_image(self):
        before = self._state()
        evidence = self.evidence
        # NUL included: the image's route is found, and answers the pixel
        urls = [f"/cobranca/ar/{evidence.id}/{token}/i.png" for token in SEGMENTS]
        urls += [
            f"/cobranca/ar/{evidence.id}/{self.other_token}/i.png",
            f"/cobranca/ar/{self.other_evidence.id}/{self.token}/i.png",
            f"/cobranca/ar/{evidence.id}/{self.token}x/i.png",
            f"/cobranca/ar/999999999/{self.token}/i.png",
            f"/cobranca/ar/99999999999999999999999999/{self.token}/i.png",
            f"/cobranca/ar/{evidence.id}/{'x' * 5000}/i.png",
            f"/cobranca/ar/{evidence.id}/wrong/i.png?extra=1&token={self.token}",
        ]
        for url in urls:
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertEqual(response.content, PIXEL, url)
            self.assertEqual(response.headers["Content-Type"], "image/gif", url)
        self.assertEqual(self._state(), before)
        # the good token records an opening, and answers the same pixel
        response = self.url_open(f"/cobranca/ar/{evidence.id}/{self.token}/i.png")
        self.assertEqual(response.content, PIXEL)
        self.evidence.invalidate_recordset()
        self.assertTrue(self.evidence.date_opened)

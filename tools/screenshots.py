"""Take screenshots of Odoo screens in headless Chromium, for the README.

    $ODOO_VENV/bin/python tools/screenshots.py --url http://localhost:8069 \
        --db cobranca_demo --out docs/screenshots

Logs in as admin, opens each screen listed in SCREENS and saves a PNG. Uses the
Chrome DevTools protocol over a websocket (websocket-client, already needed by
Odoo's tours) and Debian's chromium; nothing else.
"""

import argparse
import base64
import json
import pathlib
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket

#: (file name, URL path after login, CSS selector to wait for, optional JS to run)
SCREENS = [
    (
        "regua-policy",
        "/odoo/action-cobranca_addon.cobranca_policy_action/{cobranca_addon.cobranca_policy_default}",
        ".o_form_view .o_field_one2many",
        None,
    ),
    (
        "open-items",
        "/odoo/action-cobranca_addon.cobranca_overdue_item_action",
        ".o_list_view .o_group_name",
        "document.querySelectorAll('.o_group_name').forEach((g, i) => i < 3 && g.click());",
    ),
    (
        "messages",
        "/odoo/action-cobranca_addon.cobranca_message_action",
        ".o_list_view .o_data_row",
        None,
    ),
    (
        "message-email",
        "/odoo/action-cobranca_addon.cobranca_message_action/{last_email_of_mercado}",
        ".o_form_view .o_notebook iframe",
        "setTimeout(() => document.querySelector('.o_notebook').scrollIntoView(), 800);",
    ),
    (
        "invoice-cobranca-tab",
        "/odoo/action-account.action_move_out_invoice_type/{cobranca_addon.demo_invoice_mercado}",
        ".o_form_view .o_notebook",
        "[...document.querySelectorAll('.o_notebook a.nav-link')]"
        ".find((a) => a.innerText.includes('Cobrança')).click();"
        "setTimeout(() => document.querySelector('.o_notebook').scrollIntoView(), 800);",
    ),
    (
        "customer-cobranca-tab",
        "/odoo/action-account.res_partner_action_customer/{cobranca_addon.demo_partner_mercado}",
        ".o_form_view .o_notebook",
        "[...document.querySelectorAll('.o_notebook a.nav-link')]"
        ".find((a) => a.innerText.includes('Cobrança')).click();"
        "setTimeout(() => document.querySelector('.o_notebook').scrollIntoView(), 800);",
    ),
    (
        "level-channels",
        "/odoo/action-cobranca_addon.cobranca_policy_action/{cobranca_addon.demo_policy_b2b}",
        ".o_form_view .o_field_one2many",
        None,
    ),
    (
        "escalation",
        "/odoo/action-cobranca_addon.cobranca_escalation_action/{first_escalation}",
        ".o_form_view .o_field_one2many",
        None,
    ),
    (
        "letters-to-print",
        "/odoo/action-cobranca_addon.cobranca_letter_action",
        ".o_list_view",
        None,
    ),
    (
        "whatsapp-task",
        "/odoo/action-cobranca_addon.cobranca_message_action/{last_whatsapp}",
        ".o_form_view .o-mail-Message, .o_form_view .o_notebook",
        None,
    ),
    (
        "holidays",
        "/odoo/action-cobranca_addon.cobranca_holiday_action",
        ".o_list_view .o_data_row",
        None,
    ),
    (
        "runs",
        "/odoo/action-cobranca_addon.cobranca_run_action",
        ".o_list_view .o_data_row",
        None,
    ),
    (
        "customer-credit",
        "/odoo/action-account.res_partner_action_customer/{cobranca_addon.demo_partner_distribuidora}",
        ".o_form_view .o_notebook",
        "[...document.querySelectorAll('.o_notebook a.nav-link')]"
        ".find((a) => a.innerText.includes('Cobrança')).click();",
    ),
    (
        "customer-scores",
        "/odoo/action-cobranca_addon.cobranca_partner_score_action",
        ".o_list_view .o_group_name",
        "document.querySelectorAll('.o_group_name').forEach((g) => g.click());",
    ),
    (
        "credit-policies",
        "/odoo/action-cobranca_addon.cobranca_credit_policy_action",
        ".o_list_view .o_data_row",
        None,
    ),
    (
        "quotation-credit-hold",
        "/odoo/action-sale.action_quotations_with_onboarding/{cobranca_sale.demo_sale_order_distribuidora}",
        ".o_form_view .alert-danger",
        None,
    ),
    (
        "settings-credit",
        "/odoo/settings#cobranca_addon",
        ".o_setting_container",
        "setTimeout(() => document.getElementById('cobranca_credit_policies')"
        "?.scrollIntoView(), 500);",
    ),
    (
        "negotiation-log",
        "/odoo/action-account.res_partner_action_customer/{cobranca_addon.demo_partner_restaurante}",
        ".o_form_view .o_notebook",
        "[...document.querySelectorAll('.o_notebook a.nav-link')]"
        ".find((a) => a.innerText.includes('Cobrança')).click();"
        "setTimeout(() => [...document.querySelectorAll('.o_horizontal_separator')]"
        ".find((s) => s.innerText.match(/negocia/i))?.scrollIntoView(), 800);",
    ),
    (
        "log-contact",
        "/odoo/action-account.action_move_out_invoice_type/{cobranca_addon.demo_invoice_mercado}",
        ".o_form_view button[name=action_cobranca_log_contact]",
        "document.querySelector('button[name=action_cobranca_log_contact]').click();"
        "setTimeout(() => document.querySelector('.modal input[data-value=promise]')"
        "?.click(), 1500);",
    ),
    (
        "agreement-wizard",
        "/odoo/action-account.res_partner_action_customer/{cobranca_addon.demo_partner_mercado}",
        ".o_form_view .o_notebook",
        "[...document.querySelectorAll('.o_notebook a.nav-link')]"
        ".find((a) => a.innerText.includes('Cobrança')).click();"
        "setTimeout(() => document.querySelector("
        "'button[name=action_cobranca_new_agreement]').click(), 800);",
    ),
    (
        "agreement",
        "/odoo/action-cobranca_addon.cobranca_agreement_action/{agreement_active}",
        ".o_form_view .o_field_one2many",
        None,
    ),
    (
        "agreement-portal",
        "/my/cobranca/agreement/{agreement_offer}?access_token={agreement_offer_token}",
        ".o_cobranca_agreement_portal",
        None,
    ),
    (
        "settings-agreements",
        "/odoo/settings#cobranca_addon",
        ".o_setting_container",
        "setTimeout(() => document.getElementById('cobranca_promise_grace')"
        "?.scrollIntoView(), 500);",
    ),
    (
        "dashboard",
        "/odoo/action-cobranca_addon.cobranca_dashboard_action",
        ".o_cobranca_dashboard table",
        None,
    ),
    (
        "effectiveness-pivot",
        "/odoo/action-cobranca_addon.cobranca_level_effectiveness_action?view_type=pivot",
        ".o_pivot table",
        None,
    ),
    (
        "evidence",
        "/odoo/action-cobranca_addon.cobranca_evidence_action/{evidence_acknowledged}",
        ".o_form_view .o_field_one2many",
        "document.querySelector('button[name=action_verify_integrity]').click();",
    ),
    (
        "laudo",
        "/report/html/cobranca_addon.report_cobranca_evidence/{evidence_acknowledged}",
        ".page",
        None,
    ),
    (
        "evidence-ack",
        "/cobranca/ar/{evidence_acknowledged}/{evidence_acknowledged_token}",
        ".o_cobranca_evidence_portal",
        None,
    ),
    (
        "access-log",
        "/odoo/action-cobranca_addon.cobranca_access_log_action",
        ".o_list_view .o_data_row",
        None,
    ),
    (
        "settings",
        "/odoo/settings#cobranca_addon",
        ".o_setting_container",
        "setTimeout(() => document.getElementById('cobranca_send_window')?.scrollIntoView(), 500);",
    ),
    (
        "aging-pivot",
        "/odoo/action-cobranca_addon.cobranca_aging_report_action?view_type=pivot",
        ".o_pivot table",
        None,
    ),
    (
        "aging-list",
        "/odoo/action-cobranca_addon.cobranca_aging_report_action",
        ".o_list_view .o_group_name",
        "document.querySelectorAll('.o_group_name').forEach((g, i) => i < 3 && g.click());",
    ),
    (
        "aging-buckets",
        "/odoo/action-cobranca_addon.cobranca_aging_bucket_action",
        ".o_list_view .o_data_row",
        "document.querySelector('button[name=action_edit_buckets]').click();",
    ),
    (
        "aging-pdf",
        # the PDF's HTML, of every open item: options={"domain": []}
        "/report/html/cobranca_addon.report_cobranca_aging?options=%7B%22domain%22%3A%5B%5D%7D",
        ".page",
        None,
    ),
]


#: Named record ids used in SCREENS, besides ``{module.xmlid}``.
QUERIES = {
    "evidence_acknowledged": (
        "SELECT id FROM cobranca_evidence WHERE state = 'acknowledged' ORDER BY id LIMIT 1"
    ),
    "evidence_acknowledged_token": (
        "SELECT token FROM cobranca_evidence WHERE state = 'acknowledged' ORDER BY id LIMIT 1"
    ),
    "agreement_active": "SELECT id FROM cobranca_agreement WHERE state = 'active' LIMIT 1",
    "agreement_offer": "SELECT id FROM cobranca_agreement WHERE state = 'offered' LIMIT 1",
    "agreement_offer_token": (
        "SELECT access_token FROM cobranca_agreement WHERE state = 'offered' LIMIT 1"
    ),
    "first_escalation": "SELECT id FROM cobranca_escalation ORDER BY id LIMIT 1",
    "last_whatsapp": """
        SELECT id FROM cobranca_message WHERE channel = 'whatsapp'
         ORDER BY date DESC, id DESC LIMIT 1
    """,
    "last_email_of_mercado": """
        SELECT m.id FROM cobranca_message m
          JOIN ir_model_data d ON d.res_id = m.partner_id AND d.model = 'res.partner'
         WHERE d.module = 'cobranca_addon' AND d.name = 'demo_partner_mercado'
           AND m.channel = 'email' AND m.state = 'sent'
         ORDER BY m.date DESC, m.id DESC LIMIT 1
    """,
}


def resolve(path, db):
    """Replace ``{module.xmlid}`` and ``{query name}`` in a path by record ids."""

    def lookup(match):
        key = match.group(1)
        if key in QUERIES:
            query = QUERIES[key]
        else:
            module, name = key.split(".", 1)
            query = (
                "SELECT res_id FROM ir_model_data "
                f"WHERE module = '{module}' AND name = '{name}'"  # trusted, from SCREENS
            )
        result = subprocess.run(
            ["psql", "-d", db, "-Atc", query], capture_output=True, text=True, check=True
        )
        return result.stdout.strip()

    return re.sub(r"\{([\w.]+)\}", lookup, path)


class Browser:
    def __init__(self, port=9333, width=1400, height=1000):
        self.profile = tempfile.mkdtemp(prefix="cobranca-shots-")
        self.proc = subprocess.Popen(
            [
                shutil.which("chromium") or "/usr/bin/chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--window-size={width},{height}",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:  # noqa: BLE001 - chromium is still starting
                time.sleep(0.2)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Runtime.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression):
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result.get("result", {}).get("value")

    def goto(self, url):
        self.call("Page.navigate", url=url)
        time.sleep(1)

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.js(f"!!document.querySelector({json.dumps(selector)})"):
                return True
            time.sleep(0.3)
        raise TimeoutError(selector)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        pathlib.Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="cobranca_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", nargs="*", help="names of the screens to take")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    try:
        browser.goto(f"{args.url}/web/login?db={args.db}")
        browser.wait_for("input[name=login]")
        browser.js(
            f"document.querySelector('input[name=login]').value = {json.dumps(args.login)};"
            f"document.querySelector('input[name=password]').value = {json.dumps(args.password)};"
            "document.querySelector('form.oe_login_form').submit();"
        )
        time.sleep(3)
        for name, path, selector, script in SCREENS:
            if args.only and name not in args.only:
                continue
            browser.goto(args.url + resolve(path, args.db))
            browser.wait_for(selector)
            time.sleep(1.5)
            if script:
                browser.js(script)
                time.sleep(4)
            browser.screenshot(out / f"{name}.png")
            print("saved", out / f"{name}.png")
    finally:
        browser.close()


if __name__ == "__main__":
    main()

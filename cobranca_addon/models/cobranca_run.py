import logging
import time

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

#: First key of the advisory locks that give one worker a customer at a time.
ADVISORY_LOCK_CLASS = 0x636F62  # "cob"
#: Customers handled per batch (per call of the scheduled action). The scheduler
#: makes up to ten calls in a row: at ~50 ms per customer, 50 keeps that well
#: within a worker's CPU and time limits (limit_time_cpu 60 s by default).
DEFAULT_BATCH_SIZE = 50
#: Pending lines one batch takes at most (system parameter
#: cobranca_addon.batch_line_budget): fifty ordinary customers have a few hundred;
#: a customer above the budget is a batch of its own.
DEFAULT_BATCH_LINE_BUDGET = 1000
#: Seconds a manager's "Run now" spends dispatching in its request before it
#: leaves the rest to the scheduled action (HTTP workers are killed after 60 s).
RUN_NOW_TIME_BUDGET = 15
#: Errors of a batch that conflicted with another transaction: the batch is rolled
#: back alone and done again by the next call. The ones Odoo itself retries
#: (serialization failure, lock not available under a ``lock_timeout``, deadlock),
#: and a duplicate key (two workers inserted the same line or message).
BATCH_CONFLICTS = (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, pg_errors.UniqueViolation)


class CobrancaRun(models.Model):
    """The dunning of one company for one day.

    A run is created once per company and day. It first selects, set-based in one
    SQL statement, every receivable item that reaches a level that day and creates
    its dunning line (``pending``). The pending lines are then dispatched customer
    by customer, in batches that any cron worker may take: one message per
    customer and channel, listing all their open items.
    """

    _name = "cobranca.run"
    _description = "Collection Run"
    _order = "date desc, id desc"
    _rec_names_search = ["company_id", "date"]

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Date(required=True, readonly=True, index=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")],
        default="running",
        required=True,
        readonly=True,
    )
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Manual")],
        default="cron",
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Started By", readonly=True, default=lambda self: self.env.user
    )
    date_done = fields.Datetime(string="Finished On", readonly=True)
    line_ids = fields.One2many("cobranca.line", "run_id", string="Dunning Lines")
    message_ids = fields.One2many("cobranca.message", "run_id", string="Messages")
    line_count = fields.Integer(compute="_compute_counts", string="Lines")
    pending_count = fields.Integer(compute="_compute_counts", string="Pending")
    cancelled_count = fields.Integer(compute="_compute_counts", string="Cancelled")
    message_count = fields.Integer(compute="_compute_counts", string="Messages Sent")

    _sql_constraints = [
        (
            "company_date_unique",
            "UNIQUE(company_id, date)",
            "Only one collection run per company and day.",
        ),
    ]

    @api.depends("company_id.name", "date")
    def _compute_display_name(self):
        for run in self:
            run.display_name = self.env._(
                "%(company)s – %(date)s",
                company=run.company_id.name,
                date=fields.Date.to_string(run.date),
            )

    def _compute_counts(self):
        line_counts = {
            (run, state): count
            for run, state, count in self.env["cobranca.line"]._read_group(
                [("run_id", "in", self.ids)], ["run_id", "state"], ["__count"]
            )
        }
        message_counts = dict(
            self.env["cobranca.message"]._read_group(
                [("run_id", "in", self.ids)], ["run_id"], ["__count"]
            )
        )
        for run in self:
            run.pending_count = line_counts.get((run, "pending"), 0)
            run.cancelled_count = line_counts.get((run, "cancelled"), 0)
            run.line_count = sum(
                line_counts.get((run, state), 0) for state in ("pending", "sent", "cancelled")
            )
            run.message_count = message_counts.get(run, 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def action_run_now(self):
        """Run today's dunning of the selected companies (managers only)."""
        if not self.env.user.has_group("cobranca_addon.group_cobranca_manager"):
            raise AccessError(self.env._("Only Cobrança managers may start a collection run."))
        companies = self.env.companies
        result = self._run_dunning(
            companies=companies, trigger="manual", time_budget=RUN_NOW_TIME_BUDGET
        )
        if result["remaining"]:
            self.env.ref("cobranca_addon.ir_cron_cobranca_run").sudo()._trigger()
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranca_addon.cobranca_run_action")
        action["domain"] = [("id", "in", result["runs"].ids)]
        action["context"] = {}
        return action

    def action_open_lines(self):
        return self._open_related("cobranca_addon.cobranca_line_action")

    def action_open_messages(self):
        return self._open_related("cobranca_addon.cobranca_message_action")

    def _open_related(self, xmlid):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("run_id", "in", self.ids)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def _cron_run(self, batch_size=None):
        """Scheduled action: today's dunning of every company, one batch per call.

        The first call of the day creates each company's run and its lines; every
        call then dispatches one batch of customers and reports its progress, so
        the scheduler calls again (on this or another worker) until nothing is
        left.
        """
        batch_size = batch_size or int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("cobranca_addon.batch_size", DEFAULT_BATCH_SIZE)
        )
        result = self._run_dunning(trigger="cron", batch_size=batch_size, max_batches=1)
        self.env["ir.cron"]._notify_progress(done=result["done"], remaining=result["remaining"])
        return result["remaining"]

    @api.model
    def _run_dunning(
        self,
        date=None,
        companies=None,
        trigger="manual",
        batch_size=DEFAULT_BATCH_SIZE,
        max_batches=None,
        time_budget=None,
    ):
        """Run the dunning for a date: the one method behind the cron and buttons.

        :param date: the run date (default: today in each company's timezone)
        :param companies: companies to dun (default: all)
        :param max_batches: stop after that many batches (the rest stays pending,
            for the next call)
        :param time_budget: stop starting batches after that many seconds
        :return: dict with the ``runs``, the customers ``done`` and ``remaining``
        """
        deadline = time.monotonic() + time_budget if time_budget else None
        # The run is a system process: it creates lines, messages, e-mails and tasks
        # that no user creates by hand. Callers check who may start it.
        system = self.sudo()
        companies = system.env["res.company"].search([]) if companies is None else companies.sudo()
        runs, created = system._prepare_runs(companies, date=date, trigger=trigger)
        if created:
            # once per day: what the payments since the last run change
            system.env["cobranca.message"]._cancel_obsolete()
            system.env["cobranca.escalation.item"]._process_payments(created.company_id)
            system.env["cobranca.message"]._send_thanks(created)
        done = batches = 0
        remaining = system._count_pending_partners(companies)
        if not remaining:
            # the last batches of two concurrent workers cannot see each other's
            # work: neither closes the run, and with nothing left no batch would
            # (fault suite); close it here. Two workers may close it at the same
            # moment: the one that loses the race leaves it to the other.
            running = system.search(
                [("state", "=", "running"), ("company_id", "in", companies.ids)]
            )
            if running:
                try:
                    with system.env.cr.savepoint():
                        running._update_state()
                except BATCH_CONFLICTS as error:
                    _logger.info("Collection run closed by another worker: %s", error)
                    system.env.invalidate_all()
        while (
            remaining
            and (max_batches is None or batches < max_batches)
            and (deadline is None or time.monotonic() < deadline)
        ):
            batch_done, remaining = system._process_batch_safely(companies, batch_size)
            done += batch_done
            batches += 1
            if not batch_done:
                break
        return {"runs": runs.with_env(self.env), "done": done, "remaining": remaining}

    # ------------------------------------------------------------------
    # Phase 1: one run per company and day, its lines selected set-based
    # ------------------------------------------------------------------

    @api.model
    def _company_today(self, company):
        return company._cobranca_local_now().date()

    @api.model
    def _prepare_runs(self, companies, date=None, trigger="cron"):
        """Create the run of each company for the date, once, with its lines.

        :return: ``(runs of the date, runs created now)``
        """
        runs = created = self.browse()
        existing = {
            (run.company_id.id, run.date): run
            for run in self.search(
                [("company_id", "in", companies.ids)] + ([("date", "=", date)] if date else [])
            )
        }
        for company in companies:
            run_date = fields.Date.to_date(date) if date else self._company_today(company)
            run = existing.get((company.id, run_date))
            if run:
                runs |= run
                continue
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL(
                            """
                            INSERT INTO cobranca_run
                                (company_id, date, state, trigger, user_id,
                                 create_uid, create_date, write_uid, write_date)
                            VALUES (%(company)s, %(date)s, 'running', %(trigger)s,
                                    %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                                    %(uid)s, NOW() AT TIME ZONE 'UTC')
                            ON CONFLICT (company_id, date) DO NOTHING
                            RETURNING id
                            """,
                            company=company.id,
                            date=run_date,
                            trigger=trigger,
                            uid=self.env.uid,
                        )
                    )
                    row = self.env.cr.fetchone()
            except (pg_errors.SerializationFailure, pg_errors.UniqueViolation):
                _logger.info(
                    "Collection run of %s for %s is being created by another worker",
                    company.name,
                    run_date,
                )
                continue
            if not row:
                # created (and committed) by a concurrent worker
                continue
            run = self.browse(row[0])
            # once per company and day, before the selection: promises kept or
            # broken since yesterday pause or resume their items
            self.env["cobranca.negotiation"]._follow_up_promises(company, today=run_date)
            self.env["cobranca.agreement"]._follow_up(company, today=run_date)
            line_count = run._create_lines()
            _logger.info(
                "Collection run %s (%s, %s): %s dunning lines",
                run.id,
                company.name,
                run_date,
                line_count,
            )
            runs |= run
            created |= run
        if created:
            created.invalidate_recordset()
            self.env["cobranca.line"].invalidate_model()
            created._update_state()
        return runs, created

    def _create_lines(self):
        """Create, in one statement, the dunning lines of this run.

        Rules (see :mod:`..tools.regua`, which states them as plain functions):

        * open receivable items of posted customer invoices of the company whose
          invoice is not paid, in payment, reversed, blocked or excluded from
          cobrança, of active customers whose net open balance is positive;
        * the customer's policy (its own, else the one of their credit segment's
          policy, else the company's);
        * up to the due date, the most recent level before it not yet reached;
          after it, the next level not yet reached whose days have elapsed, one
          level at a time (a line waiting for a condition does not count as
          reached, and is taken up again);
        * not while a promise to pay pauses the invoice;
        * the instalments of agreements are reminded like invoices;
        * not before the policy's minimum interval since the customer's last
          reminder; not when the item's open amount is under the level's
          tolerance.

        The unique constraint on (item, level) makes it idempotent: a line that
        exists is never created again (a cancelled one is re-opened).
        """
        self.ensure_one()
        self.env.flush_all()
        company_key = str(self.company_id.id)
        query = SQL(
            """
            WITH items AS (
                SELECT aml.id AS move_line_id,
                       aml.move_id,
                       partner.commercial_partner_id AS partner_id,
                       aml.currency_id,
                       aml.amount_residual,
                       aml.amount_residual_currency,
                       aml.date_maturity,
                       %(date)s::date - aml.date_maturity AS days_late,
                       COALESCE(
                           (commercial.cobranca_policy_id ->> %(company_key)s)::int,
                           credit.regua_id,
                           company.cobranca_policy_id
                       ) AS policy_id
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner partner ON partner.id = aml.partner_id
                  JOIN res_partner commercial
                    ON commercial.id = partner.commercial_partner_id
                  JOIN res_company company ON company.id = aml.company_id
                  LEFT JOIN cobranca_partner_score score
                    ON score.partner_id = commercial.id AND score.company_id = aml.company_id
                  LEFT JOIN cobranca_credit_policy credit
                    ON credit.id = score.credit_policy_id AND credit.active
                 WHERE aml.company_id = %(company)s
                   AND aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.amount_residual_currency > 0
                   AND aml.date_maturity IS NOT NULL
                   AND (move.move_type = 'out_invoice' OR move.cobranca_agreement_id IS NOT NULL)
                   AND move.payment_state NOT IN ('paid', 'in_payment', 'reversed', 'blocked')
                   AND move.cobranca_excluded IS NOT TRUE
                   AND (move.cobranca_paused_until IS NULL
                        OR move.cobranca_paused_until < %(date)s)
                   AND commercial.active
            ),
            balances AS (
                SELECT partner.commercial_partner_id AS partner_id,
                       SUM(aml.amount_residual) AS balance
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner partner ON partner.id = aml.partner_id
                 WHERE aml.company_id = %(company)s
                   AND aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND aml.reconciled IS NOT TRUE
                   AND partner.commercial_partner_id IN (SELECT partner_id FROM items)
                 GROUP BY partner.commercial_partner_id
            ),
            reached AS (
                SELECT line.move_line_id, MAX(level.days) AS reached_days
                  FROM cobranca_line line
                  JOIN cobranca_level level ON level.id = line.level_id
                 WHERE line.company_id = %(company)s
                   AND line.state NOT IN ('cancelled', 'waiting')
                   AND line.move_line_id IN (SELECT move_line_id FROM items)
                 GROUP BY line.move_line_id
            ),
            last_contact AS (
                SELECT line.partner_id, MAX(line.date) AS last_date
                  FROM cobranca_line line
                 WHERE line.company_id = %(company)s
                   AND line.state NOT IN ('cancelled', 'waiting')
                   AND line.partner_id IN (SELECT partner_id FROM items)
                 GROUP BY line.partner_id
            ),
            targets AS (
                SELECT DISTINCT ON (item.move_line_id)
                       item.*, level.id AS level_id, level.tolerance_amount
                  FROM items item
                  JOIN cobranca_policy policy
                    ON policy.id = item.policy_id AND policy.active
                  JOIN cobranca_level level
                    ON level.policy_id = policy.id AND level.active
                  JOIN balances balance
                    ON balance.partner_id = item.partner_id AND balance.balance > 0
                  LEFT JOIN reached ON reached.move_line_id = item.move_line_id
                  LEFT JOIN last_contact ON last_contact.partner_id = item.partner_id
                 WHERE level.days <= item.days_late
                   AND (level.days <= 0) = (item.days_late <= 0)
                   AND (reached.reached_days IS NULL OR level.days > reached.reached_days)
                   AND (last_contact.last_date IS NULL
                        OR last_contact.last_date <= %(date)s::date - policy.min_interval_days)
                 ORDER BY item.move_line_id,
                          CASE WHEN item.days_late <= 0 THEN -level.days ELSE level.days END
            )
            INSERT INTO cobranca_line
                (move_line_id, move_id, partner_id, company_id, currency_id,
                 level_id, policy_id, run_id, date, state, date_maturity, days_late,
                 amount_residual, amount_residual_currency,
                 create_uid, create_date, write_uid, write_date)
            SELECT target.move_line_id, target.move_id, target.partner_id,
                   %(company)s, target.currency_id, target.level_id, target.policy_id,
                   %(run)s, %(date)s, 'pending', target.date_maturity, target.days_late,
                   target.amount_residual, target.amount_residual_currency,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM targets target
             WHERE target.amount_residual >= COALESCE(target.tolerance_amount, 0)
            ON CONFLICT (move_line_id, level_id) DO UPDATE
               SET state = 'pending',
                   run_id = EXCLUDED.run_id,
                   date = EXCLUDED.date,
                   days_late = EXCLUDED.days_late,
                   amount_residual = EXCLUDED.amount_residual,
                   amount_residual_currency = EXCLUDED.amount_residual_currency,
                   note = NULL,
                   write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
             WHERE cobranca_line.state IN ('cancelled', 'waiting')
            RETURNING id
            """,
            date=self.date,
            company=self.company_id.id,
            company_key=company_key,
            run=self.id,
            uid=self.env.uid,
        )
        self.env.cr.execute(query)
        return self.env.cr.rowcount

    # ------------------------------------------------------------------
    # Phase 2: dispatch the pending lines, a batch of customers at a time
    # ------------------------------------------------------------------

    @api.model
    def _count_pending_partners(self, companies):
        self.env["cobranca.line"].flush_model(["state", "partner_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(DISTINCT partner_id)
                  FROM cobranca_line
                 WHERE state = 'pending' AND company_id = ANY(%s)
                """,
                companies.ids,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _batch_line_budget(self):
        """Hook: pending lines one batch takes at most (see :meth:`_claim_partners`)."""
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("cobranca_addon.batch_line_budget", DEFAULT_BATCH_LINE_BUDGET)
        )

    @api.model
    def _claim_partners(self, companies, batch_size, line_budget=None):
        """Lock up to ``batch_size`` customers with pending lines for this worker,
        and no more customers than their pending lines fit in ``line_budget``
        (:meth:`_batch_line_budget`): a batch's memory and time follow its
        lines, so a customer with thousands of items makes a batch of its own
        instead of swelling one of fifty customers.

        Customers another worker is dispatching are skipped (advisory locks held
        until the end of the transaction), so several workers share a run. Only
        the customers taken are locked: one statement per group of candidates
        that fits the budget (one in all, unless other workers hold some).
        """
        line_budget = line_budget or self._batch_line_budget()
        self.env["cobranca.line"].flush_model(["state", "partner_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, COUNT(*)
                  FROM cobranca_line
                 WHERE state = 'pending' AND company_id = ANY(%s)
                 GROUP BY partner_id
                 ORDER BY partner_id
                 LIMIT %s
                """,
                companies.ids,
                batch_size * 4,
            )
        )
        candidates = self.env.cr.fetchall()
        counts = dict(candidates)
        claimed, lines, position = [], 0, 0
        while position < len(candidates) and len(claimed) < batch_size:
            group, group_lines = [], 0
            while position < len(candidates) and len(claimed) + len(group) < batch_size:
                partner_id, count = candidates[position]
                if (claimed or group) and lines + group_lines + count > line_budget:
                    break
                group.append(partner_id)
                group_lines += count
                position += 1
            if not group:
                break  # the next customer does not fit: it starts the next batch
            self.env.cr.execute(
                SQL(
                    """
                    SELECT candidate
                      FROM unnest(%s::int[]) AS candidate
                     WHERE pg_try_advisory_xact_lock(%s, candidate)
                    """,
                    group,
                    ADVISORY_LOCK_CLASS,
                )
            )
            locked = {row[0] for row in self.env.cr.fetchall()}
            claimed += [partner_id for partner_id in group if partner_id in locked]
            lines += sum(counts[partner_id] for partner_id in locked)
        return claimed

    @api.model
    def _process_batch(self, companies, batch_size=DEFAULT_BATCH_SIZE):
        """Dispatch the pending lines of one batch of customers.

        :return: ``(customers done, customers remaining)``
        """
        # runs finished by concurrent workers, whose last batches could not see
        # each other's work, are closed by the next call
        self.search(
            [("state", "=", "running"), ("company_id", "in", companies.ids)]
        )._update_state()
        partner_ids = self._claim_partners(companies, batch_size)
        if not partner_ids:
            return 0, self._count_pending_partners(companies)
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM cobranca_line
                 WHERE state = 'pending'
                   AND company_id = ANY(%s)
                   AND partner_id = ANY(%s)
                 ORDER BY id
                   FOR UPDATE
                """,
                companies.ids,
                partner_ids,
            ),
            # a conflict with another worker is expected here: the caller
            # (_process_batch_safely) rolls the batch back and logs it as such,
            # so Odoo's cursor need not log the query as an error
            log_exceptions=False,
        )
        lines = self.env["cobranca.line"].browse([row[0] for row in self.env.cr.fetchall()])
        lines._dispatch()
        runs = lines.run_id
        self.env.flush_all()
        runs._update_state()
        return len(set(partner_ids)), self._count_pending_partners(companies)

    @api.model
    def _process_batch_safely(self, companies, batch_size):
        """:meth:`_process_batch` for the cron.

        A conflict with a concurrent run (both picked the same customer) rolls back
        this batch only and asks the scheduler for another call, which starts in a
        fresh transaction; the other worker meanwhile dispatches those customers.
        """
        try:
            with self.env.cr.savepoint():
                return self._process_batch(companies, batch_size)
        except BATCH_CONFLICTS as error:
            # before: serialization failures only; a lock timeout or a deadlock
            # failed the whole call of the scheduled action (fault suite)
            _logger.info("Collection batch conflicted with another worker: %s", error)
            self.env.invalidate_all()
            cron = self.env.ref("cobranca_addon.ir_cron_cobranca_run", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
            return 0, self._count_pending_partners(companies)

    def _update_state(self):
        """Mark runs without pending lines as done."""
        if not self:
            return
        self.env["cobranca.line"].flush_model(["state", "run_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT run.id FROM cobranca_run run
                 WHERE run.id = ANY(%s) AND run.state = 'running'
                   AND NOT EXISTS (
                       SELECT 1 FROM cobranca_line line
                        WHERE line.run_id = run.id AND line.state = 'pending')
                """,
                self.ids,
            )
        )
        done = self.browse([row[0] for row in self.env.cr.fetchall()])
        if done:
            done.write({"state": "done", "date_done": fields.Datetime.now()})

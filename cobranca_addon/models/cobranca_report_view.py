from odoo import api, models, tools
from odoo.tools import SQL


class CobrancaReportView(models.AbstractModel):
    """A report that is the SQL view of its :meth:`_query` (``_auto = False``),
    read with PostgreSQL's JIT compiler off.

    The reports' queries are short analytical ones (a few seconds at most) over
    every receivable line: PostgreSQL 15 decides to JIT-compile them, and
    compiling costs more than it saves (``tools/benchmark --reports``: 3 of the
    4.5 s of the effectiveness query at 100,000 lines). ``SET LOCAL`` keeps the
    setting to the reading transaction.
    """

    _name = "cobranca.report.view"
    _description = "Collection Report (SQL view)"

    def init(self):
        if self._abstract:
            return
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )

    def _query(self):
        """Hook: the SELECT of the report's view."""
        raise NotImplementedError

    @api.model
    def _read_group(self, *args, **kwargs):
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        return super()._read_group(*args, **kwargs)

from lxml import html
from markupsafe import Markup

from odoo import api, models
from odoo.tools import safe_eval


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.constrains("body_html", "subject", "model_id")
    def _check_cobranca_guardrails(self):
        """Collection e-mails identify the creditor and threaten nobody."""
        guard = self.env["cobranca.template.guard"]
        for template in self.filtered(lambda t: t.model_id.model == "cobranca.message"):
            guard._check_mail_template(template)

    @api.model
    def _render_template_qweb(self, template_src, model, res_ids, add_context=None, options=None):
        """Collection messages: compile the template once for the whole batch.

        Odoo compiles a raw QWeb template again for every record it renders,
        about 40 % of the time of rendering a batch of reminders. Here it is
        compiled once, with the options Odoo gives it (among them the
        restriction of what code a user who is not a template editor may run),
        and run for each record. A template that does not compile, or a record
        that fails, is rendered again by Odoo, which raises its own error.
        """
        if (
            model != "cobranca.message"
            or len(res_ids) < 2
            or not template_src
            or not self._has_unsafe_expression_template_qweb(template_src, model)
        ):
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        variables = self._render_eval_context()
        if add_context:
            variables.update(**add_context)
        options = dict(options or {})
        if (
            not self._unrestricted_rendering
            and not self.env.is_admin()
            and not self.env.user.has_group("mail.group_mail_template_editor")
        ):
            options["raise_on_forbidden_code_for_model"] = model
        qweb = self.env["ir.qweb"].with_context(**options)
        try:
            functions, name = qweb._compile(
                html.fragment_fromstring(template_src, create_parent="div")
            )
        except Exception:  # noqa: BLE001 - Odoo's rendering raises the error it shows
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        results = {}
        for record in self.env[model].browse(res_ids):
            values = dict(variables, object=record)
            try:
                record_qweb = qweb._prepare_environment(values)
                safe_eval.check_values(values)
                rendered = Markup("".join(functions[name](record_qweb, values)))
            except Exception:  # noqa: BLE001 - Odoo's rendering raises the error it shows
                results.update(
                    super()._render_template_qweb(
                        template_src, model, [record.id], add_context=add_context, options=options
                    )
                )
                continue
            # without the <div> wrapping the template's nodes, as Odoo does
            results[record.id] = rendered[5:-6]
        return results

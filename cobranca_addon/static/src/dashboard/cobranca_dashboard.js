import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

/**
 * The collection dashboard: the indicators of the user's companies, now and over
 * the last months, read from res.company.cobranca_dashboard_data (the same
 * _read_group figures as the reports); each card opens its report.
 */
export class CobrancaDashboard extends Component {
    static template = "cobranca_addon.CobrancaDashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ months: 12, data: null });
        this.periods = [
            { value: 3, label: _t("Last 3 months") },
            { value: 6, label: _t("Last 6 months") },
            { value: 12, label: _t("Last 12 months") },
            { value: 24, label: _t("Last 24 months") },
        ];
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("res.company", "cobranca_dashboard_data", [], {
            months: this.state.months,
        });
    }

    async onPeriodChange(ev) {
        this.state.months = parseInt(ev.target.value, 10);
        await this.load();
    }

    open(xmlid) {
        return this.action.doAction(`cobranca_addon.${xmlid}`);
    }
}

registry.category("actions").add("cobranca_dashboard", CobrancaDashboard);

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("cobranca_dashboard_tour", {
    url: "/odoo/action-cobranca_addon.cobranca_dashboard_action",
    steps: () => [
        {
            content: "The inadimplência of today: everything is overdue",
            trigger: '.o_cobranca_kpi[data-kpi="overdue_rate"]:contains("100.0 %")',
        },
        {
            content: "The effectiveness of the level that reminded the item",
            trigger: '.o_cobranca_levels td:contains("Payment not identified")',
        },
        {
            content: "The collector's results",
            trigger: '.o_cobranca_collectors td:contains("Carla Cobradora")',
        },
        {
            content: "The DSO card opens the report by month",
            trigger: '.o_cobranca_kpi[data-kpi="dso"]',
            run: "click",
        },
        {
            content: "The pivot of the indicators by month",
            trigger: ".o_pivot .o_pivot_measure_row:contains('Inadimplência')",
        },
    ],
});

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("cobranca_overdue_invoice_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the Cobrança app",
            trigger: '.o_navbar_apps_menu button',
            run: "click",
        },
        {
            content: "Choose Cobrança",
            trigger: '.o_app[data-menu-xmlid="cobranca_addon.cobranca_menu_root"]',
            run: "click",
        },
        {
            content: "Go to the open items",
            trigger: '.o_menu_sections [data-menu-xmlid="cobranca_addon.cobranca_overdue_item_menu"]',
            run: "click",
        },
        {
            content: "Open items are grouped by customer: expand the customer",
            trigger: '.o_group_name:contains("Cliente do Tour Ltda")',
            run: "click",
        },
        {
            content: "The overdue instalment shows the level it reached",
            trigger: '.o_data_row:contains("Cliente do Tour Ltda"):contains("Payment not identified")',
        },
        {
            content: "Open the invoice",
            trigger: '.o_data_row:contains("Cliente do Tour Ltda") button[name="action_open_cobranca_move"]',
            run: "click",
        },
        {
            content: "The invoice's smart button shows its level",
            trigger: '.oe_stat_button[name="action_open_cobranca_lines"]:contains("Payment not identified")',
        },
        {
            content: "Open the Cobrança tab of the invoice",
            trigger: '.o_notebook a.nav-link:contains("Cobrança")',
            run: "click",
        },
        {
            content: "The tab shows the level, the last and the next reminder",
            trigger: '.o_field_widget[name="cobranca_level_id"]:contains("Payment not identified")',
        },
        {
            trigger: '.o_field_widget[name="cobranca_next_date"]',
        },
    ],
});

registry.category("web_tour.tours").add("cobranca_call_task_outcome_tour", {
    steps: () => [
        {
            content: "The collection call waits in the customer's chatter",
            trigger: '.o-mail-Activity:contains("Collection call")',
        },
        {
            content: "Mark the call done",
            trigger: '.o-mail-Activity:contains("Collection call") .btn:contains("Mark Done")',
            run: "click",
        },
        {
            content: "Done",
            trigger: ".o-mail-ActivityMarkAsDone button:contains('Done'):not(:contains('Schedule'))",
            run: "click",
        },
        {
            content: "The dialog asks what came of the call",
            trigger: '.modal .o_field_widget[name="outcome"] input[data-value="no_answer"]',
            run: "click",
        },
        {
            trigger: '.modal .o_field_widget[name="note"] textarea',
            run: "edit Caixa postal",
        },
        {
            content: "Save the contact",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The call is done with the outcome as its feedback",
            trigger: '.o-mail-Message:contains("No answer")',
        },
    ],
});

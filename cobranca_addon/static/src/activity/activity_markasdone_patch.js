import { ActivityMarkAsDone } from "@mail/core/web/activity_markasdone_popover";
import { patch } from "@web/core/utils/patch";

/**
 * Completing a collector's task (a collection call or WhatsApp) asks what came
 * of the contact: instead of marking it done at once, both "Done" buttons open
 * the dialog that logs the outcome; saving it marks the task done.
 */
patch(ActivityMarkAsDone.prototype, {
    async onClickDone() {
        if (!this.props.activity.cobranca_asks_outcome) {
            return super.onClickDone(...arguments);
        }
        return this.cobrancaLogOutcome();
    },

    async onClickDoneAndScheduleNext() {
        if (!this.props.activity.cobranca_asks_outcome) {
            return super.onClickDoneAndScheduleNext(...arguments);
        }
        return this.cobrancaLogOutcome();
    },

    async cobrancaLogOutcome() {
        const { activity } = this.props;
        const thread = this.env.services["mail.store"].Thread.insert({
            model: activity.res_model,
            id: activity.res_id,
        });
        this.props.close?.();
        const action = await this.env.services.orm.call(
            "mail.activity",
            "action_cobranca_log_outcome",
            [[activity.id]],
            { feedback: activity.feedback || false }
        );
        await this.env.services.action.doAction(action, {
            onClose: async () => {
                this.props.onActivityChanged(thread);
                await thread.fetchNewMessages();
            },
        });
    },
});

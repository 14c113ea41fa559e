/** The custom arg carrying our message id through SendGrid and back in its events. */
export const MESSAGE_ID_ARG = "nudgeflow_message_id";

/** The notifications module's public surface: the only file other modules may import. */
export { notificationRoutes } from "./routes.js";
export { createNotificationRuntime, type NotificationRuntime, type RuntimeOptions } from "./runtime.js";
export type { Notification, Preferences } from "./schema.js";

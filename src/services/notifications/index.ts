/** The notifications module's public surface: the only file other modules may import. */
export { notificationRoutes } from "./routes.js";
export { createNotifications, type NotificationDeps, type Notifications } from "./runtime.js";
export type { Notification, Preferences } from "./schema.js";
export type { Clock, NotificationPolicies } from "./service.js";
export { type StaffMessage, type StaffNotification, staffMessages } from "./staff.js";

/** The notifications API: each route parses, calls the module's operation and maps the answer. */
import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf, pageQuery } from "../../platform/schemas.js";
import type { Notifications } from "./runtime.js";
import {
  eventStream,
  eventsQuery,
  inboxQuery,
  job,
  jobQuery,
  notification,
  preferences,
  preferencesInput,
  staffNotification,
  templateList,
  templateParams,
  templatePreview,
  templateQuery,
} from "./schema.js";
import { staffMessages } from "./staff.js";

const tags = ["notifications"];
const inboxReaders = rolesFor("patient", "read_messages");
// the channels, language and quiet hours are part of the record a caller may update
const preferenceEditors = rolesFor("patient", "update");
const watchers = ["patient", "physician", "location_staff", "department_head", "admin"] as const;

export function notificationRoutes(app: App, notifications: Notifications): void {
  app.get(
    "/api/v1/notifications",
    {
      config: { allow: inboxReaders, guards: { "query.patientId": ["patient", "read_messages"] } },
      schema: {
        tags,
        summary: "In-app messages, newest first (patients: their own and their dependents')",
        querystring: inboxQuery,
        response: { 200: pageOf(notification), ...errorResponses },
      },
    },
    (req) => notifications.inbox(actorOf(req), req.query),
  );
  app.post(
    "/api/v1/notifications/:id/read",
    {
      config: {
        allow: inboxReaders,
        guards: { "params.id": ["patient", "read_messages", { via: "notification" }] },
      },
      schema: {
        tags,
        summary: "Mark an in-app message as read",
        params: idParams,
        response: { 200: notification, ...errorResponses },
      },
    },
    (req) => notifications.markRead(actorOf(req), req.params.id),
  );

  app.get(
    "/api/v1/patients/:id/notification-preferences",
    {
      config: { allow: preferenceEditors, guards: { "params.id": ["patient", "update"] } },
      schema: {
        tags,
        summary: "A patient's notification channels, language and quiet hours",
        params: idParams,
        response: { 200: preferences, ...errorResponses },
      },
    },
    (req) => notifications.preferences(actorOf(req), req.params.id),
  );
  app.put(
    "/api/v1/patients/:id/notification-preferences",
    {
      config: { allow: preferenceEditors, guards: { "params.id": ["patient", "update"] } },
      schema: {
        tags,
        summary: "Choose channels, language and quiet hours (SMS and email wait for quiet hours to end)",
        params: idParams,
        body: preferencesInput,
        response: { 200: preferences, ...errorResponses },
      },
    },
    (req) => notifications.setPreferences(actorOf(req), req.params.id, req.body),
  );

  app.get(
    "/api/v1/staff-notifications",
    {
      // staff who receive messages (compliance alerts): each reads only their own
      config: { allow: ["compliance", "admin"] },
      schema: {
        tags,
        summary: "Your own in-app messages as staff (compliance alerts), newest first",
        querystring: pageQuery,
        response: { 200: pageOf(staffNotification), ...errorResponses },
      },
    },
    (req) => staffMessages.inbox(notifications.db, actorOf(req), req.query),
  );

  app.get(
    "/api/v1/notification-templates",
    {
      config: { allow: ["admin"] },
      schema: { tags, summary: "Message templates: events and languages", response: { 200: templateList } },
    },
    async () => notifications.templates(),
  );
  app.get(
    "/api/v1/notification-templates/:event",
    {
      config: { allow: ["admin"], guards: { "query.appointmentId": "reference" } },
      schema: {
        tags,
        summary: "Preview a template, with sample data or with a real appointment's",
        params: templateParams,
        querystring: templateQuery,
        response: { 200: templatePreview, ...errorResponses },
      },
    },
    (req) => notifications.preview(actorOf(req), req.params.event, req.query),
  );
  app.get(
    "/api/v1/notification-jobs",
    {
      config: { allow: ["admin"], guards: { "query.appointmentId": "scope", "query.patientId": "scope" } },
      schema: {
        tags,
        summary: "Queued, sent, failed and cancelled messages (for support: was the reminder sent?)",
        querystring: jobQuery,
        response: { 200: pageOf(job), ...errorResponses },
      },
    },
    (req) => notifications.jobs(req.query),
  );

  app.get(
    "/api/v1/events",
    {
      config: { allow: watchers, guards: { "query.lastEventId": "scope" } },
      schema: {
        tags,
        summary:
          "Live schedule changes you may see, as server-sent events (id = event seq; send Last-Event-ID or ?lastEventId= to resume)",
        querystring: eventsQuery,
        headers: z.looseObject({
          "last-event-id": z
            .string()
            .regex(/^\d{1,18}$/)
            .optional(),
        }),
        response: { 200: eventStream, ...errorResponses },
      },
    },
    async (req, reply) => {
      const header = req.headers["last-event-id"];
      const lastEventId = typeof header === "string" ? Number(header) : req.query.lastEventId;
      await notifications.watch(actorOf(req), lastEventId, req, reply);
    },
  );

  app.addHook("preClose", async () => notifications.streams.closeAll());
}

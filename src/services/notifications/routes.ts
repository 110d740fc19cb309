import { z } from "zod";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import type { App } from "../../platform/http.js";
import { actorOf, auditContextOf } from "../../platform/identity/index.js";
import type { ModuleDeps } from "../../platform/module.js";
import { authorize, type PatientGround, patient, rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../platform/schemas.js";
import type { NotificationRuntime } from "./runtime.js";
import {
  eventStream,
  eventsQuery,
  inboxQuery,
  job,
  jobQuery,
  notification,
  preferences,
  preferencesInput,
  templateList,
  templateParams,
  templatePreview,
  templateQuery,
} from "./schema.js";
import { notificationService as svc } from "./service.js";
import { messageEvents } from "./templates.js";

const tags = ["notifications"];
const inboxReaders = rolesFor("patient", "read_messages");
// the channels, language and quiet hours are part of the record a caller may update
const preferenceEditors = rolesFor("patient", "update");
const watchers = ["patient", "physician", "location_staff", "department_head", "admin"] as const;

function audit(
  tx: Executor,
  actor: Actor,
  action: string,
  patientId: string | null,
  access?: PatientGround,
  detail: Record<string, unknown> = {},
) {
  return auditService.record(tx, auditContextOf(actor), {
    action,
    resourceType: "notification",
    resourceId: patientId,
    patientId,
    actingFor: access === "guardian" ? patientId : null,
    detail: access ? { access, ...detail } : detail,
    flagged: access === "break_glass",
  });
}

export function notificationRoutes(app: App, { db }: ModuleDeps, runtime: NotificationRuntime): void {
  const { library } = runtime;
  const settings = {
    library,
    telehealthBaseUrl: runtime.config.telehealthBaseUrl,
    reminderHours: runtime.config.reminderHours,
  };

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
    async (req) => {
      const actor = actorOf(req);
      return db.transaction().execute(async (tx) => {
        const page = await svc.inbox(tx, actor, req.query);
        await audit(tx, actor, "notification.list", req.query.patientId ?? actor.patientId, undefined, {
          count: page.items.length,
        });
        return page;
      });
    },
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
    async (req) => {
      const actor = actorOf(req);
      return db.transaction().execute(async (tx) => {
        const read = await svc.markRead(tx, actor, req.params.id, runtime.now());
        await audit(tx, actor, "notification.read", read.patientId, undefined, { notificationId: read.id });
        return read;
      });
    },
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
    async (req) => {
      const actor = actorOf(req);
      return db.transaction().execute(async (tx) => {
        const access = await authorize(tx, actor, "update", patient(req.params.id));
        const prefs = await svc.preferences(tx, req.params.id, library);
        await audit(tx, actor, "notification.preferences.read", req.params.id, access);
        return prefs;
      });
    },
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
    async (req) => {
      const actor = actorOf(req);
      return db.transaction().execute(async (tx) => {
        const access = await authorize(tx, actor, "update", patient(req.params.id));
        const prefs = await svc.setPreferences(tx, req.params.id, req.body, library);
        await audit(tx, actor, "notification.preferences.update", req.params.id, access, {
          channels: prefs.channels,
          language: prefs.language,
          quietHours: prefs.quietHours !== null,
        });
        return prefs;
      });
    },
  );

  app.get(
    "/api/v1/notification-templates",
    {
      config: { allow: ["admin"] },
      schema: { tags, summary: "Message templates: events and languages", response: { 200: templateList } },
    },
    async () => ({ events: [...messageEvents], languages: library.languages }),
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
    async (req) => {
      const actor = actorOf(req);
      const { language, appointmentId } = req.query;
      if (!appointmentId)
        return svc.preview(db, req.params.event, language, undefined, settings, runtime.now());
      return db.transaction().execute(async (tx) => {
        const preview = await svc.preview(
          tx,
          req.params.event,
          language,
          appointmentId,
          settings,
          runtime.now(),
        );
        await auditService.record(tx, auditContextOf(actor), {
          action: "notification.template.preview",
          resourceType: "appointment",
          resourceId: appointmentId,
          detail: { event: req.params.event, language: preview.language },
        });
        return preview;
      });
    },
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
    (req) => svc.jobs(db, req.query),
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
      const actor = actorOf(req);
      const header = req.headers["last-event-id"];
      const lastEventId = typeof header === "string" ? Number(header) : req.query.lastEventId;
      await auditService.record(db, auditContextOf(actor), {
        action: "events.subscribe",
        resourceType: "schedule_events",
        detail: { lastEventId: lastEventId ?? null },
      });
      await runtime.streams.serve(req, reply, actor, lastEventId);
    },
  );

  app.addHook("preClose", async () => runtime.streams.closeAll());
}

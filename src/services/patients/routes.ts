import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import type { App } from "../../platform/http.js";
import { actorOf, auditContextOf } from "../../platform/identity/index.js";
import type { ModuleDeps } from "../../platform/module.js";
import {
  authorize,
  mayEver,
  type PatientAction,
  type PatientGround,
  patientScope,
  patient as patientTarget,
  permits,
  rolesFor,
} from "../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../platform/schemas.js";
import {
  dependentInput,
  dependentParams,
  family,
  familyLink,
  patient,
  patientInput,
  patientPatch,
  patientQuery,
} from "./schema.js";
import { patientService as svc } from "./service.js";

const tags = ["patients"];
const registrars = ["location_staff", "admin"] as const;

/** Every read or write of a patient record leaves an audit event in the same transaction. */
function audit(
  tx: Executor,
  actor: Actor,
  action: string,
  patientId: string,
  access?: PatientGround,
  detail: Record<string, unknown> = {},
) {
  return auditService.record(tx, auditContextOf(actor), {
    action,
    resourceType: "patient",
    resourceId: patientId,
    patientId,
    actingFor: access === "guardian" ? patientId : null,
    detail: access ? { access, ...detail } : detail,
    flagged: access === "break_glass",
  });
}

export function patientRoutes(app: App, { db }: ModuleDeps): void {
  app.get(
    "/api/v1/patients",
    {
      config: { allow: rolesFor("patient", "read") },
      schema: {
        tags,
        summary:
          "Find patients within your scope (staff: an exact MRN with birth date also finds a patient new to your location)",
        querystring: patientQuery,
        response: { 200: pageOf(patient), ...errorResponses },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return db.transaction().execute(async (tx) => {
        // a front desk verifying identity by MRN and date of birth may find a patient new to them
        const identityCheck =
          mayEver(actor, "patient", "verify_identity") &&
          req.query.mrn !== undefined &&
          req.query.birthDate !== undefined;
        const ids = identityCheck ? undefined : await patientScope(tx, actor);
        const page = await svc.list(tx, { ...req.query, ids });
        // the patient at the desk is registered there: their record stays in reach for this location
        const verified = identityCheck && page.items.length === 1 ? page.items[0]! : undefined;
        if (verified) await svc.register(tx, verified.id, actor.locationIds, actor.userId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.search",
          resourceType: "patient",
          patientId: page.items.length === 1 ? page.items[0]!.id : null,
          detail: { query: { ...req.query }, found: page.items.map((p) => p.id), identityCheck },
        });
        return page;
      });
    },
  );
  app.post(
    "/api/v1/patients",
    {
      config: { allow: registrars, guards: { "body.preferredLocationIds": "reference" } },
      schema: {
        tags,
        summary: "Register a patient",
        body: patientInput,
        response: { 201: patient, ...errorResponses },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const created = await db.transaction().execute(async (tx) => {
        const p = await svc.create(tx, req.body);
        // a front desk registers at its own location(s); administrators register network-wide
        await svc.register(tx, p.id, actor.locationIds, actor.userId);
        await audit(tx, actor, "patient.create", p.id);
        return p;
      });
      return reply.code(201).send(created);
    },
  );
  app.get(
    "/api/v1/patients/:id",
    {
      config: { allow: rolesFor("patient", "read"), guards: { "params.id": ["patient", "read"] } },
      schema: {
        tags,
        summary: "Get a patient",
        params: idParams,
        response: { 200: patient, ...errorResponses },
      },
    },
    (req) => readPatient(req, "patient.read", (tx, id) => svc.get(tx, id)),
  );
  app.patch(
    "/api/v1/patients/:id",
    {
      config: {
        allow: rolesFor("patient", "update"),
        guards: { "params.id": ["patient", "update"], "body.preferredLocationIds": "reference" },
      },
      schema: {
        tags,
        summary:
          "Update a patient (patients: their own and their dependents' contact details and preferences)",
        params: idParams,
        body: patientPatch,
        response: { 200: patient, ...errorResponses },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return db.transaction().execute(async (tx) => {
        const access = await authorize(tx, actor, "update", patientTarget(req.params.id));
        const identity = (["mrn", "birthDate", "sex"] as const).find((k) => req.body[k] !== undefined);
        if (identity && !(await permits(tx, actor, "update_identity", patientTarget(req.params.id)))) {
          throw problems.forbidden("Ask the front desk to correct your MRN, date of birth or sex");
        }
        const updated = await svc.update(tx, req.params.id, req.body);
        await audit(tx, actor, "patient.update", req.params.id, access, { fields: Object.keys(req.body) });
        return updated;
      });
    },
  );

  app.get(
    "/api/v1/patients/:id/family",
    {
      config: {
        allow: rolesFor("patient", "read_family"),
        guards: { "params.id": ["patient", "read_family"] },
      },
      schema: {
        tags,
        summary: "A patient's guardians and dependents (relatives outside your scope are not listed)",
        params: idParams,
        response: { 200: family, ...errorResponses },
      },
    },
    (req) =>
      readPatient(
        req,
        "patient.family.read",
        async (tx, id) => {
          const family = await svc.family(tx, id);
          const actor = actorOf(req);
          const inScope = async (relatives: typeof family.guardians) => {
            const keep = await Promise.all(
              relatives.map((r) => permits(tx, actor, "read", patientTarget(r.patientId))),
            );
            return relatives.filter((_, i) => keep[i]);
          };
          return {
            ...family,
            guardians: await inScope(family.guardians),
            dependents: await inScope(family.dependents),
          };
        },
        "read_family",
      ),
  );
  app.post(
    "/api/v1/patients/:id/dependents",
    {
      config: {
        allow: rolesFor("patient", "link_family"),
        guards: { "params.id": ["patient", "link_family"], "body.dependentId": ["patient", "link_family"] },
      },
      schema: {
        tags,
        summary: "Link a dependent to this patient as guardian (both must be in your scope)",
        params: idParams,
        body: dependentInput,
        response: { 201: familyLink, ...errorResponses },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const link = await db.transaction().execute(async (tx) => {
        const access = await authorize(tx, actor, "link_family", patientTarget(req.params.id));
        // linking hands the dependent's record to the guardian's account: the caller must reach both
        await authorize(tx, actor, "link_family", patientTarget(req.body.dependentId, "body.dependentId"));
        const l = await svc.linkDependent(tx, req.params.id, req.body);
        await audit(tx, actor, "patient.family.link", req.params.id, access, {
          dependentId: req.body.dependentId,
        });
        return l;
      });
      return reply.code(201).send(link);
    },
  );
  app.delete(
    "/api/v1/patients/:id/dependents/:dependentId",
    {
      config: {
        allow: rolesFor("patient", "link_family"),
        guards: { "params.id": ["patient", "link_family"], "params.dependentId": ["patient", "link_family"] },
      },
      schema: {
        tags,
        summary: "Unlink a dependent",
        params: dependentParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      await db.transaction().execute(async (tx) => {
        const access = await authorize(tx, actor, "link_family", patientTarget(req.params.id));
        await authorize(
          tx,
          actor,
          "link_family",
          patientTarget(req.params.dependentId, "params.dependentId"),
        );
        await svc.unlinkDependent(tx, req.params.id, req.params.dependentId);
        await audit(tx, actor, "patient.family.unlink", req.params.id, access, {
          dependentId: req.params.dependentId,
        });
      });
      return reply.code(204).send(null);
    },
  );

  /** A read of one patient's data: scope first (404 outside it), then the audit event, then the data. */
  function readPatient<T>(
    req: FastifyRequest,
    auditAction: string,
    read: (tx: Executor, id: string) => Promise<T>,
    action: PatientAction = "read",
  ): Promise<T> {
    const actor = actorOf(req);
    const id = (req.params as { id: string }).id;
    return db.transaction().execute(async (tx) => {
      const access = await authorize(tx, actor, action, patientTarget(id));
      const result = await read(tx, id);
      await audit(tx, actor, auditAction, id, access);
      return result;
    });
  }
}

import { z } from "zod";
import type { App } from "../http.js";
import { rolesFor } from "../policy.js";
import { errorResponses, idParams, pageOf, problemSchema } from "../schemas.js";
import { actorOf, requestInfo, SESSION_COOKIE } from "./plugin.js";
import {
  breakGlassGrant,
  breakGlassInput,
  breakGlassQuery,
  loginInput,
  loginResult,
  me,
  reviewInput,
  user,
  userInput,
  userPatch,
  userQuery,
} from "./schema.js";
import type { IdentityService } from "./service.js";

const tags = ["identity"];
const admin = ["admin"] as const;

export function identityRoutes(app: App, identity: IdentityService): void {
  app.post(
    "/api/v1/auth/login",
    {
      config: { allow: "public" },
      schema: {
        tags,
        summary: "Sign in; returns a bearer token and sets a session cookie",
        body: loginInput,
        // a wrong password answers 401; too many wrong ones from one account or address 429
        response: { 200: loginResult, ...errorResponses, 401: problemSchema, 429: problemSchema },
      },
    },
    async (req, reply) => {
      const result = await identity.login(req.body.email, req.body.password, requestInfo(req));
      void reply.setCookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: "strict",
        secure: req.protocol === "https",
        path: "/",
        maxAge: identity.sessionHours * 3600,
      });
      return result;
    },
  );
  app.post(
    "/api/v1/auth/logout",
    {
      config: { allow: "authenticated" },
      schema: { tags, summary: "End this session", response: { 204: z.null() } },
    },
    async (req, reply) => {
      await identity.logout(actorOf(req));
      void reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.code(204).send(null);
    },
  );
  app.get(
    "/api/v1/auth/me",
    {
      config: { allow: "authenticated" },
      schema: { tags, summary: "Who is calling", response: { 200: me } },
    },
    (req) => identity.me(actorOf(req)),
  );

  app.get(
    "/api/v1/users",
    {
      config: { allow: admin, guards: { "query.locationId": "scope" } },
      schema: {
        tags,
        summary: "List users",
        querystring: userQuery,
        response: { 200: pageOf(user), ...errorResponses },
      },
    },
    (req) => identity.listUsers(req.query),
  );
  app.post(
    "/api/v1/users",
    {
      config: {
        allow: admin,
        guards: {
          "body.patientId": "reference",
          "body.physicianId": "reference",
          "body.locationIds": "reference",
          "body.departmentIds": "reference",
        },
      },
      schema: {
        tags,
        summary: "Create a user with a role and scope",
        body: userInput,
        response: { 201: user, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await identity.createUser(actorOf(req), req.body)),
  );
  app.get(
    "/api/v1/users/:id",
    {
      config: { allow: admin, guards: { "params.id": "reference" } },
      schema: { tags, summary: "Get a user", params: idParams, response: { 200: user, ...errorResponses } },
    },
    (req) => identity.getUser(req.params.id),
  );
  app.patch(
    "/api/v1/users/:id",
    {
      config: {
        allow: admin,
        guards: {
          "params.id": "reference",
          "body.locationIds": "reference",
          "body.departmentIds": "reference",
        },
      },
      schema: {
        tags,
        summary: "Change a user's name, password, scope or deactivate them",
        params: idParams,
        body: userPatch,
        response: { 200: user, ...errorResponses },
      },
    },
    (req) => identity.updateUser(actorOf(req), req.params.id, req.body),
  );

  app.post(
    "/api/v1/break-glass",
    {
      config: {
        allow: rolesFor("patient", "break_glass"),
        guards: { "body.patientId": ["patient", "break_glass"] },
      },
      schema: {
        tags,
        summary:
          "Open a record outside your scope for 60 minutes, giving a reason (always audited and reviewed)",
        body: breakGlassInput,
        response: { 201: breakGlassGrant, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await identity.breakGlass(actorOf(req), req.body.patientId, req.body.reason)),
  );
  app.get(
    "/api/v1/break-glass",
    {
      config: { allow: ["admin", "compliance"] },
      schema: {
        tags,
        summary: "Break-the-glass grants for review",
        querystring: breakGlassQuery,
        response: { 200: pageOf(breakGlassGrant), ...errorResponses },
      },
    },
    (req) => identity.listBreakGlass(actorOf(req), req.query.reviewed, req.query.limit, req.query.offset),
  );
  app.post(
    "/api/v1/break-glass/:id/review",
    {
      config: { allow: ["admin", "compliance"], guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Mark a break-the-glass grant as reviewed",
        params: idParams,
        body: reviewInput,
        response: { 200: breakGlassGrant, ...errorResponses },
      },
    },
    (req) => identity.reviewBreakGlass(actorOf(req), req.params.id, req.body.note),
  );
}

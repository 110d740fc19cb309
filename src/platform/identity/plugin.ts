import cookie from "@fastify/cookie";
import type { FastifyRequest } from "fastify";
import { type Actor, type Admission, admits } from "../access.js";
import { problems } from "../errors.js";
import type { App } from "../http.js";
import type { Guards } from "../policy.js";
import type { IdentityService, RequestInfo } from "./service.js";

declare module "fastify" {
  interface FastifyRequest {
    actor?: Actor;
  }
  interface FastifyInstance {
    /** Every /api/v1 route with the roles it admits, in registration order (for the access matrix). */
    apiRoutes: Array<{ method: string; url: string; allow: Admission; guards: Guards }>;
    /**
     * Who else a bearer token may stand for when it is no session (the FHIR API's system clients):
     * each answers an actor for the tokens it issued, and only on the routes it serves.
     */
    bearerAuthenticators: BearerAuthenticator[];
  }
  interface FastifyContextConfig {
    /** Who may call the route at all; data scope is then narrowed by the service. */
    allow?: Admission;
    /** How each id the route takes is guarded (see policy.ts); the policy test holds routes to it. */
    guards?: Guards;
  }
}

/** Another kind of bearer token than a session's: the actor it stands for on this request, if any. */
export type BearerAuthenticator = (token: string, req: FastifyRequest) => Promise<Actor | undefined>;

export const SESSION_COOKIE = "rounds_session";

export const requestInfo = (req: FastifyRequest): RequestInfo => ({
  clientAddress: req.ip,
  userAgent: typeof req.headers["user-agent"] === "string" ? req.headers["user-agent"].slice(0, 300) : null,
  requestId: String(req.id),
});

/** The signed-in caller; routes admitting only signed-in roles can rely on it. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw problems.unauthenticated();
  return req.actor;
}

function tokenOf(req: FastifyRequest): string | undefined {
  // the scheme name is case-insensitive (RFC 9110 11.1)
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (bearer) return bearer[1];
  return req.cookies?.[SESSION_COOKIE];
}

/**
 * Every /api/v1 route must say who it admits (`config.allow`); a route that forgets fails the
 * server at start rather than opening silently.
 */
export async function installAuthentication(app: App, identity: IdentityService): Promise<void> {
  await app.register(cookie);
  const apiRoutes: Array<{ method: string; url: string; allow: Admission; guards: Guards }> = [];
  app.decorate("apiRoutes", apiRoutes);
  const bearerAuthenticators: BearerAuthenticator[] = [];
  app.decorate("bearerAuthenticators", bearerAuthenticators);
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/api/v1")) return;
    const allow = route.config?.allow;
    if (allow === undefined)
      throw new Error(`Route ${route.method} ${route.url} does not declare config.allow`);
    for (const method of [route.method].flat())
      if (method !== "HEAD")
        apiRoutes.push({ method, url: route.url, allow, guards: route.config?.guards ?? {} });
  });
  app.addHook("onRequest", async (req) => {
    const allow = req.routeOptions.config?.allow;
    if (allow === undefined) return;
    const token = tokenOf(req);
    if (token) {
      req.actor = await identity.authenticate(token, requestInfo(req));
      for (const other of bearerAuthenticators) req.actor ??= await other(token, req);
    }
    if (admits(allow, req.actor)) return;
    if (!req.actor) throw problems.unauthenticated();
    throw problems.forbidden();
  });
}

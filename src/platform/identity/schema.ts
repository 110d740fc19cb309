import { z } from "zod";
import { roles } from "../access.js";
import { pageQuery, uuid } from "../schemas.js";

export const loginInput = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
});

export const user = z.object({
  id: uuid,
  email: z.string(),
  displayName: z.string(),
  role: z.enum(roles),
  active: z.boolean(),
  patientId: uuid.nullable(),
  physicianId: uuid.nullable(),
  locationIds: z.array(uuid),
  departmentIds: z.array(uuid),
});
export type User = z.infer<typeof user>;

export const me = user.extend({
  /** Patient users: their own record and their dependents'. */
  patientIds: z.array(uuid),
  specialties: z.array(z.string()),
});

export const loginResult = z.object({ token: z.string(), expiresAt: z.string(), user: me });

const password = z.string().min(12, "must be at least 12 characters").max(256);

export const userInput = z
  .object({
    email: z.email().max(254),
    displayName: z.string().trim().min(1).max(200),
    role: z.enum(roles),
    password: password.optional(),
    patientId: uuid.nullable().default(null),
    physicianId: uuid.nullable().default(null),
    locationIds: z.array(uuid).max(100).default([]),
    departmentIds: z.array(uuid).max(100).default([]),
  })
  .superRefine((u, ctx) => {
    if ((u.role === "patient") !== (u.patientId !== null))
      ctx.addIssue({
        code: "custom",
        path: ["patientId"],
        message: "a patient user needs patientId, and only a patient user has one",
      });
    if ((u.role === "physician") !== (u.physicianId !== null))
      ctx.addIssue({
        code: "custom",
        path: ["physicianId"],
        message: "a physician user needs physicianId, and only a physician user has one",
      });
    if (u.role === "location_staff" && u.locationIds.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["locationIds"],
        message: "location staff need at least one location",
      });
    if (u.role !== "location_staff" && u.locationIds.length > 0)
      ctx.addIssue({ code: "custom", path: ["locationIds"], message: "only location staff have locations" });
    if (u.role === "department_head" && u.departmentIds.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["departmentIds"],
        message: "a department head needs at least one department",
      });
    if (u.role !== "department_head" && u.departmentIds.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["departmentIds"],
        message: "only department heads have departments",
      });
  });
export type UserInput = z.infer<typeof userInput>;

export const userPatch = z
  .object({
    displayName: z.string().trim().min(1).max(200),
    active: z.boolean(),
    password,
    locationIds: z.array(uuid).max(100),
    departmentIds: z.array(uuid).max(100),
  })
  .partial()
  .strict();
export type UserPatch = z.infer<typeof userPatch>;

export const userQuery = pageQuery.extend({
  role: z.enum(roles).optional(),
  locationId: uuid.optional(),
  q: z.string().max(100).optional(),
});

export const breakGlassInput = z.object({
  patientId: uuid,
  reason: z.string().trim().min(10, "say why, in at least 10 characters").max(1000),
});
export const breakGlassGrant = z.object({
  id: uuid,
  userId: uuid,
  patientId: uuid,
  reason: z.string(),
  grantedAt: z.string(),
  expiresAt: z.string(),
  reviewedAt: z.string().nullable(),
  reviewedBy: uuid.nullable(),
  reviewNote: z.string().nullable(),
});
export const breakGlassQuery = pageQuery.extend({
  reviewed: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});
export const reviewInput = z.object({ note: z.string().trim().min(1).max(2000) });

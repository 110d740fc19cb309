import { z } from "zod";
import { instant, uuid } from "../../platform/schemas.js";

export const mobileEquipmentQuery = z
  .object({
    locationId: uuid
      .optional()
      .describe("one location: its own equipment that travels, and what comes to or leaves it"),
    from: instant.optional().describe("default: now"),
    to: instant.optional().describe("default: from + 7 days; at most 31 days after from"),
  })
  .strict();
export type MobileEquipmentQuery = z.infer<typeof mobileEquipmentQuery>;

const at = { locationId: uuid, locationName: z.string() };
const between = {
  fromLocationId: uuid,
  fromLocationName: z.string(),
  toLocationId: uuid,
  toLocationName: z.string(),
};

export const mobileEquipmentEntry = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("use"), ...at, start: z.string(), end: z.string() }),
  z.object({
    kind: z.literal("move"),
    ...between,
    start: z.string().describe("when it leaves"),
    end: z.string().describe("when it arrives"),
  }),
]);

export const mobileEquipmentItem = z.object({
  id: uuid,
  name: z.string(),
  kind: z.string(),
  assetTag: z.string(),
  home: z.object(at),
  now: z
    .discriminatedUnion("state", [
      z.object({ state: z.literal("in_use"), ...at, until: z.string() }),
      z.object({ state: z.literal("moving"), ...between, until: z.string() }),
      z.object({ state: z.literal("waiting"), ...at }),
    ])
    .describe("where it is now"),
  timeline: z
    .array(mobileEquipmentEntry)
    .describe("its uses and the moves between them over the window, in time order"),
});
export type MobileEquipmentItem = z.infer<typeof mobileEquipmentItem>;

export const mobileEquipmentList = z.object({
  from: z.string(),
  to: z.string(),
  items: z.array(mobileEquipmentItem),
});
export type MobileEquipmentList = z.infer<typeof mobileEquipmentList>;

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  defaultLocationAeTitle,
  inRange,
  matchesValue,
  parseDateKey,
  readKeys,
  uuidToUid,
} from "../../src/integrations/dicom/worklist.js";

const day = fc
  .date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10).replace(/-/g, ""));

describe("worklist matching keys", () => {
  it("a date range holds exactly the dates between its bounds, a single date only itself", () => {
    fc.assert(
      fc.property(day, day, day, (a, b, d) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(inRange(parseDateKey(`${lo}-${hi}`), d)).toBe(d >= lo && d <= hi);
        expect(inRange(parseDateKey(`${lo}-`), d)).toBe(d >= lo);
        expect(inRange(parseDateKey(`-${hi}`), d)).toBe(d <= hi);
        expect(inRange(parseDateKey(d), a)).toBe(a === d);
      }),
    );
  });

  it("a malformed or impossible date is refused", () => {
    for (const bad of ["2026-12-07", "20261332", "20260230", "20261208-20261207", "-", "today"])
      expect(parseDateKey(bad)).toBeUndefined();
  });

  it("a key without wildcards matches only itself; * and ? match runs and single characters", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z0-9^-]{1,12}$/),
        fc.stringMatching(/^[A-Z0-9^-]{1,12}$/),
        (k, v) => {
          expect(matchesValue(k, v)).toBe(k === v);
          expect(matchesValue("*", v)).toBe(true);
          expect(matchesValue(`${v.slice(0, 1)}*`, v)).toBe(true);
          expect(matchesValue("?".repeat(v.length), v)).toBe(true);
        },
      ),
    );
    expect(matchesValue("CT", null)).toBe(false);
    expect(matchesValue("", null)).toBe(true);
    expect(matchesValue("C.", "CT")).toBe(false);
  });

  it("reads the keys from the identifier and its scheduled procedure step", () => {
    expect(
      readKeys({
        PatientID: "MRN-1",
        AccessionNumber: "",
        ScheduledProcedureStepSequence: [{ Modality: "MR", ScheduledProcedureStepStartDate: "20261207-" }],
      }),
    ).toEqual({ patientId: "MRN-1", modality: "MR", startDate: "20261207-" });
  });
});

describe("worklist names", () => {
  it("a study UID is the appointment's UUID as one decimal integer under 2.25, at most 64 characters", () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const uid = uuidToUid(id);
        expect(uid).toMatch(/^2\.25\.(0|[1-9]\d*)$/);
        expect(uid.length).toBeLessThanOrEqual(64);
        expect(BigInt(uid.slice(5)).toString(16).padStart(32, "0")).toBe(id.replace(/-/g, "").toLowerCase());
      }),
    );
  });

  it("a location's default AE title is ROUNDS_ and its code, within 16 characters", () => {
    expect(defaultLocationAeTitle("MAIN")).toBe("ROUNDS_MAIN");
    expect(defaultLocationAeTitle("SPEC-CARDIO-0001")).toBe("ROUNDS_SPEC-CARD");
  });
});

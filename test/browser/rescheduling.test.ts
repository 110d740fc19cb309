import { describe, expect, inject, it, onTestFailed } from "vitest";
import {
  ApiFailure,
  apiAs,
  bookFirstOption,
  browserForSuite,
  keepScreenshot,
  newPage,
  nextWeekday,
  signInAs,
  text,
  today,
} from "./support.js";

interface Location {
  id: string;
  name: string;
  kind: string;
}
interface Physician {
  id: string;
  givenName: string;
  familyName: string;
  title: string;
}
interface Template {
  locationId: string;
  weekday: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}
interface Override {
  weekdays: number[];
  endDate: string;
}
interface Plan {
  id: string;
  status: string;
  affected: Array<{ appointmentId: string; outcome: { policy: string; state: string } | null }>;
}
interface Offer {
  id: string;
  status: string;
  appointmentId: string;
  held: { appointmentId: string };
  newAppointmentId: string | null;
}

describe("automatic rescheduling when a physician's plans change", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("the head of cardiology sees the server's preview of a change with each appointment's alternatives, saves it offering the best one to the patients, and reads the report", async () => {
    const admin = await apiAs(baseUrl, "admin");
    const thursday = nextWeekday(4);
    const { items: sites } = await admin.get<{ items: Location[] }>(
      "/api/v1/locations?specialty=cardiology&active=true",
    );
    const { items: physicians } = await admin.get<{ items: Physician[] }>(
      "/api/v1/physicians?specialty=cardiology&active=true&limit=500",
    );
    const { items: types } = await admin.get<{ items: { id: string; visitKind: string }[] }>(
      "/api/v1/appointment-types?specialty=cardiology&active=true",
    );
    const { items: patients } = await admin.get<{ items: { id: string }[] }>(
      "/api/v1/patients?limit=40&offset=440",
    );
    // a cardiologist who works Thursdays at one cardiology location, without a rotation that day,
    // and has a time free to book there (a full day is skipped)
    let chosen: { physician: Physician; from: Location; to: Location } | undefined;
    let booked: { appointmentId: string; start: string } | undefined;
    for (const p of [...physicians].reverse()) {
      const { items: templates } = await admin.get<{ items: Template[] }>(
        `/api/v1/physicians/${p.id}/templates?weekday=4`,
      );
      const { items: overrides } = await admin.get<{ items: Override[] }>(
        `/api/v1/physicians/${p.id}/overrides`,
      );
      const at = new Set(
        templates
          .filter((t) => t.effectiveFrom <= today() && (t.effectiveTo ?? "9999") >= thursday)
          .map((t) => t.locationId),
      );
      const rotated = overrides.some((o) => o.weekdays.includes(4) && o.endDate >= thursday);
      const from = sites.find((s) => at.has(s.id));
      const to = sites.find((s) => !at.has(s.id) && s.kind !== "virtual");
      if (at.size !== 1 || !from || !to || rotated) continue;
      booked = await bookFirstOption(
        admin,
        {
          physicianId: p.id,
          locationId: from.id,
          date: thursday,
          appointmentTypeIds: types.map((t) => t.id),
        },
        patients.map((x) => x.id),
      ).catch(() => undefined);
      if (booked) {
        chosen = { physician: p, from, to };
        break;
      }
    }
    expect(chosen).toBeDefined();
    const { physician, from, to } = chosen!;
    const bookedTime = new Intl.DateTimeFormat("en-GB", {
      timeZone: "America/New_York",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(booked!.start));

    const { page } = await newPage(chromium.browser, { width: 1280, height: 1400 });
    const shot = keepScreenshot(page, "department-head-reschedule-offer", onTestFailed);
    try {
      await signInAs(page, baseUrl, "head.cardiology");
      await page.getByRole("heading", { name: "Department schedules" }).waitFor();
      const name = `${physician.givenName} ${physician.familyName}, ${physician.title}`;
      await page.getByRole("combobox", { name: "Physician" }).click();
      await page.getByRole("option", { name, exact: true }).click();

      const form = page.getByRole("form", { name: "Move a weekday" });
      await form.waitFor();
      await form.getByRole("combobox", { name: "Weekday" }).click();
      await page.getByRole("option", { name: "Thursday", exact: true }).click();
      expect(await form.getByRole("textbox", { name: "From" }).inputValue()).toBe(thursday);
      await form.getByRole("combobox", { name: "New location" }).click();
      await page.getByRole("option", { name: `${to.name} (` }).click();
      await form.getByRole("button", { name: "Preview affected appointments" }).click();

      // the server's what-if: every affected appointment with its alternatives, before anything is saved
      const preview = page.getByTestId("change-preview");
      await preview.getByText(/would be affected/).waitFor({ timeout: 120_000 });
      const listed = await text(preview.getByRole("list", { name: "Affected appointments" }));
      expect(listed).toContain(bookedTime);
      expect(listed).toContain(from.name);
      expect(listed).toMatch(/best alternative|no alternative found/);
      const { items: before } = await admin.get<{ items: { id: string; status: string }[] }>(
        `/api/v1/reschedule-plans?physicianId=${physician.id}&limit=100`,
      );
      await preview.getByText("Offered to the patient").click();
      await preview.getByText(/asked to accept the best alternative/).waitFor();
      await preview.getByRole("button", { name: "Save the change" }).click();
      await page.getByText("The new assignment is in the schedule.").first().waitFor({ timeout: 120_000 });

      // the report: each affected appointment and where it ended
      const report = page.getByRole("region", { name: "Report of the change" });
      await report.waitFor();
      expect(await text(report)).toMatch(/offered to the patient|handed to the front desk/);
      const { items: after } = await admin.get<{ items: { id: string; status: string }[] }>(
        `/api/v1/reschedule-plans?physicianId=${physician.id}&limit=100`,
      );
      // the plan the preview made (already listed before saving, as proposed) is now applied
      const applied = after.find(
        (p) => p.status === "applied" && !before.some((b) => b.id === p.id && b.status === "applied"),
      );
      expect(applied).toBeDefined();
      const plan = await admin.get<Plan>(`/api/v1/reschedule-plans/${applied!.id}`);
      const ours = plan.affected.find((a) => a.appointmentId === booked!.appointmentId);
      expect(ours?.outcome?.policy).toBe("offer");
      // offered (a time held for the patient) or, when nothing could be held, with the front desk: never dropped
      expect(["offered", "needs_attention"]).toContain(ours?.outcome?.state);
      expect(plan.affected.every((a) => a.outcome !== null)).toBe(true);

      // the physician's saved changes keep their reports
      await page.getByRole("tab", { name: "Rescheduling reports" }).click();
      const saved = page.getByRole("table", { name: "Saved changes and their reports" });
      await saved.waitFor();
      await saved
        .getByRole("button", { name: /^Open report of the rotation or temporary assignment/ })
        .first()
        .click();
      await page.getByRole("table", { name: "Affected appointments and where they ended" }).waitFor();
    } finally {
      await shot();
    }
  });

  it("the patient opens the offer from their appointments and accepts the time held for them; the same link again changes nothing", async () => {
    const patient = await apiAs(baseUrl, "patient");
    const { items } = await patient.get<{ items: Offer[] }>("/api/v1/reschedule-offers?status=offered");
    const offer = items[0]!;
    expect(offer).toBeDefined();

    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "patient-accepts-reschedule-offer", onTestFailed);
    try {
      await signInAs(page, baseUrl, "patient");
      await page.goto(`${baseUrl}/patient/appointments`);
      await page
        .getByTestId("open-offers")
        .getByRole("link", { name: "see the time we are holding for you" })
        .first()
        .click();
      await page.getByRole("heading", { name: "A new time for your appointment" }).waitFor();
      await page.getByRole("heading", { name: "Held for you" }).waitFor();
      await page.getByRole("button", { name: "Accept this time" }).click();
      await page.getByText("Your appointment is moved").waitFor();
      await page.getByRole("link", { name: "Open the new appointment" }).waitFor();
      // the link used again shows the answer already given
      await page.goto(`${baseUrl}/patient/reschedule-offers/${offer.id}`);
      await page.getByText("Your appointment is moved").waitFor();
    } finally {
      await shot();
    }
    const after = await patient.get<Offer>(`/api/v1/reschedule-offers/${offer.id}`);
    expect(after.status).toBe("accepted");
    expect(after.newAppointmentId).toBe(offer.held.appointmentId);
    expect(
      (await patient.get<{ status: string }>(`/api/v1/appointments/${after.newAppointmentId}`)).status,
    ).toBe("booked");
    expect(
      (await patient.get<{ status: string }>(`/api/v1/appointments/${offer.appointmentId}`)).status,
    ).toBe("cancelled");
    const again = await patient
      .post(`/api/v1/reschedule-offers/${offer.id}/accept`, {})
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiFailure);
    expect((again as ApiFailure).status).toBe(409);
  });
});

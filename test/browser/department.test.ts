import { describe, expect, inject, it, onTestFailed } from "vitest";
import {
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
  locationId: string;
  weekdays: number[];
  startDate: string;
  endDate: string;
}

describe("the head of cardiology", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("a department head moves a physician's Tuesday to another location, sees the server's preview of the affected appointments with their alternatives before saving, and nobody is dropped", async () => {
    const admin = await apiAs(baseUrl, "admin");
    const tuesday = nextWeekday(2);
    const { items: sites } = await admin.get<{ items: Location[] }>(
      "/api/v1/locations?specialty=cardiology&active=true",
    );
    const { items: physicians } = await admin.get<{ items: Physician[] }>(
      "/api/v1/physicians?specialty=cardiology&active=true&limit=500",
    );
    // a cardiologist who works a Tuesday at one cardiology location, without a rotation that day
    let chosen: { physician: Physician; from: Location; to: Location } | undefined;
    for (const p of physicians) {
      const { items: templates } = await admin.get<{ items: Template[] }>(
        `/api/v1/physicians/${p.id}/templates?weekday=2`,
      );
      const { items: overrides } = await admin.get<{ items: Override[] }>(
        `/api/v1/physicians/${p.id}/overrides`,
      );
      const current = templates.filter(
        (t) => t.effectiveFrom <= today() && (t.effectiveTo ?? "9999") >= tuesday,
      );
      const at = new Set(current.map((t) => t.locationId));
      const rotated = overrides.some((o) => o.weekdays.includes(2) && o.endDate >= tuesday);
      const from = sites.find((s) => at.has(s.id));
      const to = sites.find((s) => !at.has(s.id) && s.kind !== "virtual");
      if (at.size === 1 && from && to && !rotated) {
        chosen = { physician: p, from, to };
        break;
      }
    }
    expect(chosen).toBeDefined();
    const { physician, from, to } = chosen!;
    const { items: types } = await admin.get<{ items: { id: string; visitKind: string }[] }>(
      "/api/v1/appointment-types?specialty=cardiology&active=true",
    );
    const { items: patients } = await admin.get<{ items: { id: string }[] }>(
      "/api/v1/patients?limit=40&offset=400",
    );
    const booked = await bookFirstOption(
      admin,
      {
        physicianId: physician.id,
        locationId: from.id,
        date: tuesday,
        appointmentTypeIds: types.filter((t) => t.visitKind === "new").map((t) => t.id),
      },
      patients.map((p) => p.id),
    );
    const bookedTime = new Intl.DateTimeFormat("en-GB", {
      timeZone: "America/New_York",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(booked.start));

    const { page } = await newPage(chromium.browser, { width: 1280, height: 1400 });
    const shot = keepScreenshot(page, "department-head-preview", onTestFailed);
    await signInAs(page, baseUrl, "head.cardiology");
    await page.getByRole("heading", { name: "Department schedules" }).waitFor();
    const name = `${physician.givenName} ${physician.familyName}, ${physician.title}`;
    await page.getByRole("combobox", { name: "Physician" }).click();
    await page.getByRole("option", { name, exact: true }).click();

    const form = page.getByRole("form", { name: "Move a weekday" });
    await form.waitFor();
    expect(await form.getByRole("combobox", { name: "Weekday" }).inputValue()).toBe("Tuesday");
    expect(await form.getByRole("textbox", { name: "From" }).inputValue()).toBe(tuesday);
    await form.getByRole("combobox", { name: "New location" }).click();
    await page.getByRole("option", { name: `${to.name} (` }).click();
    await form.getByRole("button", { name: "Preview affected appointments" }).click();

    const preview = page.getByTestId("change-preview");
    await preview.getByText(/would be affected/).waitFor();
    const listed = await text(preview.getByRole("list", { name: "Affected appointments" }));
    expect(listed).toContain(bookedTime);
    expect(listed).toContain(from.name);
    // the server's what-if: each affected appointment comes with its best alternative, or a hand-over
    expect(listed).toMatch(/best alternative|no alternative found/);
    await page.locator(".fc-event.affected").first().waitFor();
    await preview.scrollIntoViewIfNeeded();
    await shot();

    await preview.getByRole("button", { name: "Save the change" }).click();
    await page.getByText("The new assignment is in the schedule.").waitFor();
    const { items: after } = await admin.get<{ items: Override[] }>(
      `/api/v1/physicians/${physician.id}/overrides`,
    );
    expect(
      after.some((o) => o.locationId === to.id && o.weekdays.includes(2) && o.startDate === tuesday),
    ).toBe(true);
    // moved automatically (the default), or handed to the front desk of its location: never dropped
    const appointment = await admin.get<{ status: string }>(`/api/v1/appointments/${booked.appointmentId}`);
    if (appointment.status === "booked") {
      const { items: handed } = await admin.get<{ items: { appointmentId: string }[] }>(
        `/api/v1/reschedule-handovers?locationId=${from.id}`,
      );
      expect(handed.map((h) => h.appointmentId)).toContain(booked.appointmentId);
    } else {
      expect(appointment.status).toBe("cancelled");
    }
  });
});

import { describe, expect, inject, it, onTestFailed } from "vitest";
import { apiAs, browserForSuite, keepScreenshot, newPage, signInAs, text } from "./support.js";

interface Relative {
  patientId: string;
  givenName: string;
  familyName: string;
}
interface Appointment {
  id: string;
  patientId: string;
  status: string;
  locationId: string;
  start: string;
}

describe("family scheduling", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("the demo parent books both children on one trip: trips found, held together, both booked", async () => {
    const patient = await apiAs(baseUrl, "patient");
    const me = patient.user.patientId as string;
    const family = await patient.get<{ dependents: Relative[] }>(`/api/v1/patients/${me}/family`);
    const children = family.dependents.slice(0, 2);
    expect(children).toHaveLength(2);

    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "patient-family-trip", onTestFailed);
    let bookedIds: string[] = [];
    try {
      await signInAs(page, baseUrl, "patient");
      await page.getByRole("link", { name: "Family visits" }).click();
      await page.getByRole("heading", { name: "Family visits", level: 1 }).waitFor();
      // the parent stays in the waiting room; each child needs a paediatric visit
      await page.getByRole("checkbox", { name: "I come on this trip" }).uncheck();
      for (const c of family.dependents) {
        const member = page.getByRole("group", { name: `${c.givenName} ${c.familyName}` });
        if (!children.includes(c)) {
          await member.getByRole("checkbox").uncheck();
          continue;
        }
        await member.getByRole("combobox", { name: "Specialty" }).click();
        await page.getByRole("option", { name: "Pediatrics", exact: true }).click();
      }
      await page.getByRole("button", { name: "Find trips" }).click();
      await page.getByRole("heading", { name: /trips for everyone$/ }).waitFor({ timeout: 120_000 });
      const first = page.getByTestId("family-trip").first();
      for (const c of children) await first.getByText(c.givenName).first().waitFor();

      // held and confirmed with the keyboard alone
      const hold = first.getByRole("button", { name: /^Hold this trip: / });
      await hold.focus();
      await page.keyboard.press("Enter");
      const confirm = page.getByRole("button", { name: "Confirm all 2 appointments" });
      await confirm.waitFor();
      expect(await text(page.getByTestId("hold-countdown"))).toContain("holding these 2 times together");
      await confirm.focus();
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Your family's appointments", level: 1 }).waitFor();
      for (const c of children)
        await page
          .getByRole("link", { name: `Open the appointment of ${c.givenName} ${c.familyName}` })
          .waitFor();
      expect(await page.getByTestId("family-appointment").count()).toBe(2);
      bookedIds = (new URL(page.url()).searchParams.get("ids") ?? "").split(",");
    } finally {
      await shot();
    }
    // both are booked, for the two children, at one location on one day
    const booked = await Promise.all(
      bookedIds.map((id) => patient.get<Appointment>(`/api/v1/appointments/${id}`)),
    );
    expect(booked.map((a) => a.status)).toEqual(["booked", "booked"]);
    expect(new Set(booked.map((a) => a.patientId))).toEqual(new Set(children.map((c) => c.patientId)));
    expect(new Set(booked.map((a) => a.locationId)).size).toBe(1);
  });
});

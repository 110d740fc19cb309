import { describe, expect, inject, it, onTestFailed } from "vitest";
import {
  apiAs,
  arrangeTravellingDay,
  browserForSuite,
  keepScreenshot,
  newPage,
  signInAs,
  text,
} from "./support.js";

describe("the physician's unified schedule", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("a travelling physician sees appointments at two locations on one week view, with the travel gap between them", async () => {
    const physician = await apiAs(baseUrl, "physician");
    const admin = await apiAs(baseUrl, "admin");
    const { day, morningAt, afternoonAt } = await arrangeTravellingDay(
      admin,
      String(physician.user.physicianId),
    );

    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "physician-week-two-locations", onTestFailed);
    await signInAs(page, baseUrl, "physician");
    await page.goto(`${baseUrl}/physician?date=${day}`);
    await page.getByRole("heading", { name: "My schedule" }).waitFor();
    const calendar = page.getByTestId("physician-calendar");
    await calendar.locator(".fc-timeGridWeek-view").waitFor();

    const column = calendar.locator(`td.fc-day[data-date="${day}"]`);
    await column.locator(".fc-event", { hasText: morningAt.code }).first().waitFor();
    await column.locator(".fc-event", { hasText: afternoonAt.code }).first().waitFor();
    const legend = await text(page.getByTestId("legend"));
    expect(legend).toContain(morningAt.name);
    expect(legend).toContain(afternoonAt.name);
    const travel = column.locator(".fc-event.travel-gap");
    await travel.first().waitFor();
    expect(await travel.first().getAttribute("class")).toContain("travel-gap");
    const gap = await text(travel.first());
    expect(gap).toMatch(/Travel \d+ min/);
    expect(gap).toContain(`${morningAt.name} → ${afternoonAt.name}`);
    await travel.first().scrollIntoViewIfNeeded();
    await shot();
  });

  it("a physician at their second location opens a patient's records from the EMR, and the view is audited there", async () => {
    const physician = await apiAs(baseUrl, "physician");
    const admin = await apiAs(baseUrl, "admin");
    const physicianId = String(physician.user.physicianId);
    const { items: templates } = await admin.get<{ items: { locationId: string }[] }>(
      `/api/v1/physicians/${physicianId}/templates?limit=500`,
    );
    const { items: locations } = await admin.get<{ items: { id: string; name: string }[] }>(
      "/api/v1/locations?limit=500",
    );
    const sites = [...new Set(templates.map((t) => t.locationId))];
    // the second of the physician's locations where a patient is booked with them
    let at: { id: string; name: string } | undefined;
    let patientId: string | undefined;
    for (const id of sites.slice(1)) {
      const { items } = await physician.get<{ items: { patientId: string }[] }>(
        `/api/v1/appointments?physicianId=${physicianId}&locationId=${id}&status=booked&limit=1`,
      );
      if (items[0]) {
        at = locations.find((l) => l.id === id)!;
        patientId = items[0].patientId;
        break;
      }
    }
    expect(at, "the demo physician has patients at a second location").toBeDefined();

    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "physician-emr-records", onTestFailed);
    await signInAs(page, baseUrl, "physician");
    await page.goto(`${baseUrl}/physician/patients/${patientId}`);
    const section = page.getByRole("region", { name: "Records from the EMR" });
    await section.getByRole("tab", { name: /Lab results/ }).waitFor();
    await section.getByRole("combobox", { name: "You are at" }).click();
    await page.getByRole("option", { name: at!.name, exact: true }).click();
    await section.getByRole("tab", { name: /Problems/ }).click();
    const problems = section.getByRole("table", { name: "Problems" });
    await problems.waitFor();
    expect(await problems.locator("tbody tr").count()).toBeGreaterThan(0);
    await section.getByRole("tab", { name: /Lab results/ }).click();
    await section.getByRole("table", { name: "Lab results" }).locator("tbody tr").first().waitFor();
    await shot();

    const { items: events } = await admin.get<{ items: { action: string; locationId: string | null }[] }>(
      `/api/v1/audit-events?patientId=${patientId}&limit=100`,
    );
    expect(events.filter((e) => e.action === "patient.records.view").map((e) => e.locationId)).toContain(
      at!.id,
    );
  });
});

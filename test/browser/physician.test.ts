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
});

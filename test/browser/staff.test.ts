import { describe, expect, inject, it, onTestFailed } from "vitest";
import {
  addDays,
  apiAs,
  browserForSuite,
  keepScreenshot,
  newPage,
  signInAs,
  text,
  today,
} from "./support.js";

interface Location {
  id: string;
  name: string;
  kind: string;
}

describe("the front desk of a satellite office", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("staff at a satellite see their location's day and cannot reach a main-campus appointment, even by typing its URL", async () => {
    const staff = await apiAs(baseUrl, "staff.north");
    const satelliteId = (staff.user.locationIds as string[])[0]!;
    const admin = await apiAs(baseUrl, "admin");
    const { items: locations } = await admin.get<{ items: Location[] }>("/api/v1/locations?limit=500");
    const satellite = locations.find((l) => l.id === satelliteId)!;
    expect(satellite.kind).toBe("satellite");
    const main = locations.find((l) => l.kind === "main_campus")!;
    const { items: mainAppointments } = await admin.get<{ items: { id: string }[] }>(
      `/api/v1/appointments?locationId=${main.id}&status=booked&from=${new Date().toISOString()}&limit=1`,
    );
    expect(mainAppointments.length).toBe(1);
    const elsewhere = mainAppointments[0]!.id;
    // the first coming day with patients at the satellite
    let day = addDays(today(), 1);
    for (let i = 0; i < 14; i++, day = addDays(day, 1)) {
      const { total } = await staff.get<{ total: number }>(
        `/api/v1/appointments?locationId=${satelliteId}&date=${day}&status=booked&limit=1`,
      );
      if (total > 0) break;
    }

    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "staff-satellite-day", onTestFailed);
    await signInAs(page, baseUrl, "staff.north");
    await page.getByRole("heading", { name: new RegExp(`at ${satellite.name}`) }).waitFor();

    await page.goto(`${baseUrl}/staff?date=${day}`);
    await page.getByTestId("day-grid").waitFor();
    expect(await page.getByTestId("day-appointment").count()).toBeGreaterThan(0);
    // every appointment on the page is the satellite's: the list comes from its door only
    const first = page.getByTestId("day-appointment").filter({ hasText: "booked" }).first();
    // the appointment is known by its address, not by the patient's name (which loads after it)
    const href = (await first.getByRole("link").getAttribute("href"))!;
    await first.getByRole("button", { name: /Check in/ }).click();
    await page
      .getByTestId("day-appointment")
      .filter({ has: page.locator(`a[href="${href}"]`) })
      .filter({ hasText: "checked in" })
      .first()
      .waitFor();

    // another desk cancels one of the day's appointments: this screen follows without a reload
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { stillThisPage: boolean }).stillThisPage = true;
    });
    const before = await page.getByTestId("day-appointment").count();
    const { items: dayBooked } = await staff.get<{ items: { id: string }[] }>(
      `/api/v1/appointments?locationId=${satelliteId}&date=${day}&status=booked&limit=50`,
    );
    const cancelled = dayBooked[dayBooked.length - 1]!;
    await staff.post(`/api/v1/appointments/${cancelled.id}/cancel`, {
      reason: "patient called the other desk",
    });
    await expect
      .poll(() => page.getByTestId("day-appointment").count(), { timeout: 15_000 })
      .toBe(before - 1);
    expect(
      await page.evaluate(() => (globalThis as unknown as { stillThisPage?: boolean }).stillThisPage),
    ).toBe(true);

    await page.getByText("By physician", { exact: true }).click();
    await page.getByRole("table", { name: "Appointments by physician and hour" }).waitFor();
    await shot();

    // typing the address of an appointment at the main campus
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/appointments/${elsewhere}`));
    await page.goto(`${baseUrl}/staff/appointments/${elsewhere}`);
    expect((await answer).status()).toBe(404);
    await page.getByTestId("not-found").waitFor();
    expect(await text(page.getByTestId("not-found"))).toContain("This appointment was not found");
    expect(await text(page.locator("main"))).not.toContain(main.name);
    await page.screenshot({ path: "test-results/staff-cannot-open-main-campus.png" });
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, inject, it, onTestFailed } from "vitest";
import { type Api, apiAs, browserForSuite, keepScreenshot, newPage, signInAs, text } from "./support.js";

interface Option {
  telehealth: boolean;
}

/** A specialty and visit type for which the demo patient is offered video and in-person times. */
async function videoNeed(patient: Api): Promise<{ specialty: string; type: string }> {
  const patientId = patient.user.patientId as string;
  const { items: specialties } = await patient.get<{ items: Array<{ code: string; name: string }> }>(
    "/api/v1/specialties?limit=100",
  );
  const from = new Date(Date.now() + 86_400_000).toISOString();
  const to = new Date(Date.now() + 14 * 86_400_000).toISOString();
  for (const s of specialties) {
    const { items: types } = await patient.get<{ items: Array<{ id: string; name: string }> }>(
      `/api/v1/appointment-types?specialty=${s.code}&telehealth=true&limit=20`,
    );
    for (const t of types) {
      const { options } = await patient.get<{ options: Option[] }>(
        `/api/v1/availability?appointmentTypeId=${t.id}&specialty=${s.code}&patientId=${patientId}` +
          `&telehealth=true&from=${from}&to=${to}&limit=200`,
      );
      if (options.some((o) => o.telehealth) && options.some((o) => !o.telehealth))
        return { specialty: s.name, type: t.name };
    }
  }
  throw new Error("the demo offers the patient no video visit");
}

describe("a video visit", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("a patient who is fine with a video visit sees video times beside in-person ones, books one and joins from the confirmation; cancelling it closes the link", async () => {
    const patient = await apiAs(baseUrl, "patient");
    const need = await videoNeed(patient);
    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "patient-books-video-visit", onTestFailed);
    await signInAs(page, baseUrl, "patient");
    await page.getByRole("heading", { name: "Find care" }).waitFor();

    await page.getByRole("combobox", { name: "Specialty" }).click();
    await page.getByRole("option", { name: need.specialty, exact: true }).click();
    await page.getByRole("combobox", { name: "Type of visit" }).click();
    await page.getByRole("option", { name: need.type, exact: true }).click();
    await page.getByLabel("A video visit is fine").check();
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText(/options across the network/).waitFor({ timeout: 120_000 });

    // grouped by location: the video clinic's times beside the in-person locations'
    await page.getByLabel("Group by location").check();
    const cards = page.getByTestId("slot-option");
    const video = cards.filter({ hasText: "Video visit" });
    await video.first().waitFor();
    expect(await text(video.first())).toContain("no travel");
    expect(await text(video.first())).not.toContain("km from home");
    expect(await cards.filter({ hasNotText: "Video visit" }).count()).toBeGreaterThan(0);

    await video
      .first()
      .getByRole("button", { name: /^Book: .* video visit with / })
      .click();
    await page.getByRole("heading", { name: "Confirm your appointment" }).waitFor();
    await page.getByText("A video visit: no travel.").waitFor();
    await page.getByRole("button", { name: "Confirm booking" }).click();

    await page.getByRole("heading", { name: "You are booked" }).waitFor();
    await page.getByText(/is booked as a video visit/).waitFor();
    const join = page.getByRole("link", { name: "Join video visit" });
    const href = (await join.getAttribute("href"))!;
    expect(href).toMatch(/\/visit\/[A-Za-z0-9_-]{43}$/);
    // a video visit needs no directions to a room
    expect(await page.getByTestId("location-details").count()).toBe(0);
    const appointmentId = new URL(page.url()).pathname.split("/").at(-1)!;

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Add to calendar (.ics)" }).click(),
    ]);
    const ics = readFileSync((await download.path())!, "utf8").replace(/\r\n /g, "");
    expect(ics).toContain(`URL:${href}`);
    expect(ics).toContain(`LOCATION:${href}`);

    // the link opens the visit's page, signed in or not
    const visit = await newPage(chromium.browser);
    await visit.page.goto(`${baseUrl}${new URL(href).pathname}`);
    await visit.page.getByRole("heading", { name: "Video visit", level: 1 }).waitFor();
    await visit.page.getByText("The room is not open yet").waitFor();
    expect(await text(visit.page.locator("main"))).toContain(need.type);

    await patient.post(`/api/v1/appointments/${appointmentId}/cancel`, { reason: "booked by a test" });
    await visit.page.reload();
    await visit.page.getByText("This visit was cancelled").waitFor();
    await visit.context.close();
    await shot();
  });
});

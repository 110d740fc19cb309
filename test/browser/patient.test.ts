import { readFileSync } from "node:fs";
import { describe, expect, inject, it, onTestFailed } from "vitest";
import { apiAs, browserForSuite, keepScreenshot, newPage, signInAs, text } from "./support.js";

interface Location {
  id: string;
  name: string;
  kind: string;
  parking: { spaces: number; accessibleSpaces: number };
}

describe("a patient booking across the network", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("a patient finds a cardiology appointment, compares two locations, books the one with accessible parking, sees the directions and finds it under my appointments", async () => {
    // arrange: the main campus's accessible bays are closed for works, so only one cardiology location has them
    const admin = await apiAs(baseUrl, "admin");
    const patient = await apiAs(baseUrl, "patient");
    const { items: cardiology } = await admin.get<{ items: Location[] }>(
      "/api/v1/locations?specialty=cardiology&active=true",
    );
    expect(cardiology.length).toBeGreaterThanOrEqual(2);
    const closed = cardiology.find((l) => l.kind === "main_campus") ?? cardiology[0]!;
    await admin.patch(`/api/v1/locations/${closed.id}`, { parking: { accessibleSpaces: 0 } });
    const open = cardiology.filter((l) => l.id !== closed.id && l.parking.accessibleSpaces > 0);
    expect(open.length).toBeGreaterThan(0);

    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "patient-books-cardiology", onTestFailed);
    try {
      await signInAs(page, baseUrl, "patient");
      await page.getByRole("heading", { name: "Find care" }).waitFor();
      // a full page load would drop this marker: the whole journey must stay in the app
      await page.evaluate("window.__sameDocument = true");

      await page.getByRole("combobox", { name: "Specialty" }).click();
      await page.getByRole("option", { name: "Cardiology", exact: true }).click();
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByText(/options across the network/).waitFor({ timeout: 120_000 });

      const table = page.getByTestId("comparison");
      const headers = await table.locator("thead th").allInnerTexts();
      const access = await table
        .locator("tbody tr", { hasText: "Accessible parking" })
        .locator("td")
        .allInnerTexts();
      expect(headers.length).toBeGreaterThanOrEqual(3);
      expect(access.some((c) => c.includes("None on site"))).toBe(true);
      const column = access.findIndex((c) => c.startsWith("Yes"));
      expect(column).toBeGreaterThanOrEqual(0);
      const chosen = open.find((l) => headers[column + 1]!.includes(l.name))!;
      expect(chosen).toBeDefined();
      expect(await text(table)).toContain("Public transport");

      await page.getByRole("button", { name: `Book earliest here: ${chosen.name}` }).click();
      await page.getByRole("heading", { name: "Confirm your appointment" }).waitFor();
      await page.getByText(/holding this time for you for \d+:\d\d more/).waitFor();
      // the copay the server quotes for the held option, with why, before confirming
      await page.getByTestId("copay").waitFor();
      expect(await text(page.getByTestId("copay"))).toMatch(/^Your copay: \$\d+(\.\d\d)? \(.+\)$/);
      await page.getByRole("button", { name: "Confirm booking" }).click();

      await page.getByRole("heading", { name: "You are booked" }).waitFor();
      const details = page.getByTestId("location-details");
      expect(await text(details)).toContain(chosen.name);
      expect(await text(details)).toMatch(/\d+ accessible spaces/);
      const directions = page.getByRole("link", { name: new RegExp(`Directions to ${chosen.name}`) });
      expect(await directions.getAttribute("href")).toContain("openstreetmap.org/directions");
      const appointmentPath = new URL(page.url()).pathname;

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Add to calendar (.ics)" }).click(),
      ]);
      const ics = readFileSync((await download.path())!, "utf8");
      expect(ics).toContain("BEGIN:VEVENT");
      expect(ics).toMatch(/DTSTART:\d{8}T\d{6}Z/);
      expect(ics.replace(/\r\n /g, "")).toContain(chosen.name);

      await page.getByRole("link", { name: "My appointments", exact: true }).click();
      await page.getByRole("heading", { name: "My appointments" }).waitFor();
      const booked = page.locator(`[data-testid="my-appointment"]:has(a[href="${appointmentPath}"])`);
      await booked.waitFor();
      expect(await text(booked)).toContain(chosen.name);
      expect(await text(booked)).toContain("booked");
      expect(await page.evaluate("window.__sameDocument")).toBe(true);

      // the confirmation also waits in the app's inbox, linking back to the appointment
      await page.getByRole("link", { name: "Messages", exact: true }).click();
      await page.getByRole("heading", { name: "Messages" }).waitFor();
      const confirmation = page
        .getByTestId("inbox-message")
        // the message that links to the new appointment, in whichever language the patient reads
        .filter({ has: page.locator(`a[href="${appointmentPath}"]`) });
      // the one notification worker may still be sending what an earlier journey's schedule change caused
      await expect.poll(() => confirmation.count(), { timeout: 150_000 }).toBeGreaterThan(0);
      expect(await text(confirmation.first())).toContain(chosen.name);
      await confirmation.first().getByRole("button", { name: "Mark as read" }).click();
      await confirmation.first().getByRole("button", { name: "Mark as read" }).waitFor({ state: "detached" });

      // quiet hours: emails and texts wait overnight, chosen on the preferences page
      await page.getByRole("link", { name: "Preferences", exact: true }).click();
      const messages = page.getByRole("form", { name: "Messages" });
      await messages.waitFor();
      // the defaults a patient starts with: email and the app
      expect(await messages.getByLabel("Email", { exact: true }).isChecked()).toBe(true);
      expect(await messages.getByLabel("Messages in this app").isChecked()).toBe(true);
      await messages.getByLabel("Quiet hours: hold emails and texts overnight").check();
      await messages.getByLabel("From").fill("21:30");
      await messages.getByRole("button", { name: "Save message settings" }).click();
      await page.getByText("Your message settings are saved.").waitFor();
      const saved = await patient.get<{ quietHours: { start: string } | null }>(
        `/api/v1/patients/${patient.user.patientId}/notification-preferences`,
      );
      expect(saved.quietHours?.start).toBe("21:30");
      expect(await page.evaluate("window.__sameDocument")).toBe(true);
      await shot();
    } finally {
      await admin.patch(`/api/v1/locations/${closed.id}`, {
        parking: { accessibleSpaces: closed.parking.accessibleSpaces },
      });
    }
  });
});

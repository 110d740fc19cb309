import { describe, expect, inject, it, onTestFailed } from "vitest";
import { apiAs, browserForSuite, keepScreenshot, newPage, signInAs } from "./support.js";

interface Referral {
  id: string;
  patientName: string;
  urgency: string;
  status: string;
  appointmentId: string | null;
}

describe("referrals across locations", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("the main campus's front desk books an urgent referral from its queue through the booking screen", async () => {
    const staff = await apiAs(baseUrl, "staff.main");
    const { items } = await staff.get<{ items: Referral[] }>(
      "/api/v1/referrals?direction=incoming&status=sent,accepted",
    );
    // the queue puts the most urgent first
    const urgent = items[0]!;
    expect(urgent.urgency).toBe("urgent");

    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "staff-referral-queue", onTestFailed);
    try {
      await signInAs(page, baseUrl, "staff.main");
      await page.getByRole("link", { name: "Referrals" }).click();
      await page.getByRole("table", { name: "Referred to you" }).waitFor();
      await page.getByRole("link", { name: `Book the referral of ${urgent.patientName}` }).click();
      await page.getByTestId("chosen-patient").waitFor();
      await page.getByRole("combobox", { name: "Type of visit" }).click();
      await page.getByRole("option").first().click();
      await page.getByRole("button", { name: "Find times" }).click();
      await page
        .getByRole("button", { name: /^Book: / })
        .first()
        .click({ timeout: 120_000 });
      await page.getByRole("status").filter({ hasText: "Booked" }).waitFor();
    } finally {
      await shot();
    }
    const after = await staff.get<Referral>(`/api/v1/referrals/${urgent.id}`);
    expect(after.status).toBe("booked");
    expect(after.appointmentId).not.toBeNull();
  });

  it("the patient books the referral their physician sent from its link", async () => {
    const patient = await apiAs(baseUrl, "patient");
    const { items } = await patient.get<{ items: Referral[] }>("/api/v1/referrals?status=sent");
    const referral = items[0]!;
    expect(referral).toBeDefined();

    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "patient-books-referral", onTestFailed);
    try {
      await signInAs(page, baseUrl, "patient");
      await page.goto(`${baseUrl}/patient/referrals/${referral.id}`);
      await page.getByRole("heading", { name: "Your referral" }).waitFor();
      await page.getByRole("combobox", { name: "Type of visit" }).click();
      await page.getByRole("option").first().click();
      await page.getByRole("button", { name: "Find times" }).click();
      await page
        .getByRole("button", { name: /^Book: / })
        .first()
        .click({ timeout: 120_000 });
      await page.getByRole("link", { name: "Open the appointment" }).waitFor();
    } finally {
      await shot();
    }
    const after = await patient.get<Referral>(`/api/v1/referrals/${referral.id}`);
    expect(after.status).toBe("booked");
  });
});

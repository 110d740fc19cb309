import { describe, expect, inject, it, onTestFailed } from "vitest";
import { browserForSuite, keepScreenshot, newPage, signInAs } from "./support.js";

describe("capacity planning", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("the demo department head proposes next weeks' assignments and compares them with today's plan", async () => {
    const { page } = await newPage(chromium.browser);
    keepScreenshot(page, "department-capacity", onTestFailed);
    await signInAs(page, baseUrl, "head.cardiology");
    await page.getByRole("link", { name: "Capacity planning" }).click();
    await page.getByRole("heading", { name: "Capacity planning", level: 1 }).waitFor();
    // the department's own specialty is chosen; its saved proposals (none, or some) are listed
    const savedRows = page.getByRole("table", { name: "Saved proposals" }).locator("tbody tr");
    await savedRows.first().or(page.getByText("No proposals for this specialty yet.")).waitFor();
    const saved = await savedRows.count();
    await page.getByRole("button", { name: "Propose" }).click();
    const comparison = page.getByRole("table", { name: "Today's plan and the proposal" });
    await comparison.waitFor({ timeout: 60_000 });
    const coverage = comparison.getByRole("row", { name: /^Coverage/ });
    expect(await coverage.getByRole("cell").allTextContents()).toEqual([
      expect.stringMatching(/^\d+\.\d %$/),
      expect.stringMatching(/^\d+\.\d %$/),
    ]);
    // the chart draws today's and the proposed figures (a zero-height bar is drawn but not visible)
    await expect
      .poll(() => page.getByTestId("capacity-chart").locator("svg .recharts-bar-rectangle").count())
      .toBeGreaterThan(0);
    const assignments = page.getByRole("table", { name: "Assignments per physician and day" });
    expect(await assignments.locator("tbody tr").count()).toBeGreaterThan(0);
    // the new proposal is saved beside the earlier ones
    await expect.poll(() => savedRows.count()).toBe(saved + 1);
  });
});

import { describe, expect, inject, it, onTestFailed } from "vitest";
import { browserForSuite, keepScreenshot, newPage, signInAs } from "./support.js";

describe("the cross-location reports", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("an administrator compares the locations' no-show rates in a chart with the same figures in a table, and can download them as CSV", async () => {
    const { page } = await newPage(chromium.browser);
    keepScreenshot(page, "admin-reports", onTestFailed);
    await signInAs(page, baseUrl, "admin");
    await page.goto(`${baseUrl}/admin/reports`);
    await page.getByText("Wait times and efficiency", { exact: true }).click();
    const table = page.getByRole("table", { name: "Wait times and efficiency per row" });
    await table.waitFor();
    // the demo's history: several locations, each with a measured no-show rate
    const rows = table.locator("tbody tr");
    expect(await rows.count()).toBeGreaterThan(1);
    await expect.poll(() => table.getByRole("cell", { name: /\d+\.\d %/ }).count()).toBeGreaterThan(0);
    await page.getByTestId("report-chart").locator("svg .recharts-bar-rectangle").first().waitFor();
    const csv = page.getByRole("link", { name: /Download wait times and efficiency as CSV/ });
    const href = await csv.getAttribute("href");
    const res = await page.request.get(`${baseUrl}${href}`);
    expect(res.status()).toBe(200);
    expect((await res.text()).split("\r\n")[0]).toContain("noShowRate");
  });
});

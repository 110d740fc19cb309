import { describe, expect, inject, it, onTestFailed } from "vitest";
import { apiAs, browserForSuite, keepScreenshot, newPage, signInAs } from "./support.js";

describe("an administrator keeping a location's facilities", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("an administrator who adds a room without a code is told the code is missing, then adds it and sees it listed, and taking it out of service shows the what-if first", async () => {
    const admin = await apiAs(baseUrl, "admin");
    const { items } = await admin.get<{ items: { id: string; name: string }[] }>("/api/v1/locations?limit=1");
    const location = items[0]!;
    const code = `R${Date.now().toString(36).slice(-5).toUpperCase()}`;

    const { page } = await newPage(chromium.browser);
    keepScreenshot(page, "admin-add-room", onTestFailed);
    await signInAs(page, baseUrl, "admin");
    await page.goto(`${baseUrl}/admin/locations/${location.id}`);
    await page.getByRole("tab", { name: "Rooms" }).click();
    const form = page.getByRole("form", { name: "Add a room" });
    await form.getByRole("textbox", { name: "Name" }).fill("Quiet consultation room");
    await form.getByRole("button", { name: "Add" }).click();
    await expect
      .poll(async () => form.getByRole("textbox", { name: "Code" }).getAttribute("aria-invalid"))
      .toBe("true");

    await form.getByRole("textbox", { name: "Code" }).fill(code);
    await form.getByRole("button", { name: "Add" }).click();
    await page.getByRole("table", { name: "Rooms" }).getByRole("cell", { name: code, exact: true }).waitFor();
    expect(await form.getByRole("textbox", { name: "Code" }).inputValue()).toBe("");

    // taking the new room out of service asks the server what it would do first, then saves it
    const rooms = page.getByRole("table", { name: "Rooms" });
    await rooms.getByRole("button", { name: `Take room ${code} out of service` }).click();
    const panel = page.getByRole("form", { name: `Take room ${code} out of service: when and why` });
    await panel.getByRole("textbox", { name: "Reason" }).fill("Repainting");
    await panel.getByRole("button", { name: "Preview" }).click();
    const preview = page.getByTestId("change-preview");
    await preview.getByText("No booked appointment would be affected").waitFor();
    await preview.getByRole("button", { name: `Take room ${code} out of service` }).click();
    await page.getByTestId("plan-report").waitFor();
    // the row says so, and the room is put back with one button
    const back = rooms.getByRole("button", { name: `Put room ${code} back in service` });
    await back.waitFor();
    await back.click();
    await rooms.getByRole("button", { name: `Take room ${code} out of service` }).waitFor();
  });
});

/**
 * The front desk keeps working when the network drops: the installed app starts from its service
 * worker, the coming days come from the encrypted copy in the browser, a check-in made offline
 * reaches the server when the network returns, and a change that met a newer state of its
 * appointment (cancelled by someone else meanwhile) is put to the person, not applied.
 */
import { AxeBuilder } from "@axe-core/playwright";
import { describe, expect, inject, it, onTestFailed } from "vitest";
import { addDays, apiAs, browserForSuite, keepScreenshot, newPage, signInAs, today } from "./support.js";

interface Appt {
  id: string;
  status: string;
  local: { date: string };
}

describe("a front desk that loses the network", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("reads its day offline, checks a patient in, sees it applied when back online, and decides on a conflicting change", async () => {
    const staff = await apiAs(baseUrl, "staff.north");
    const admin = await apiAs(baseUrl, "admin");
    const locationId = (staff.user.locationIds as string[])[0]!;
    // tomorrow or the day after, with two patients still to come: prefetched, never opened online
    let day = addDays(today(), 1);
    let booked: Appt[] = [];
    for (const d of [1, 2].map((n) => addDays(today(), n))) {
      booked = (
        await staff.get<{ items: Appt[] }>(
          `/api/v1/appointments?locationId=${locationId}&date=${d}&status=booked&limit=2`,
        )
      ).items;
      day = d;
      if (booked.length === 2) break;
    }
    expect(booked).toHaveLength(2);
    const [arriving, cancelledMeanwhile] = booked as [Appt, Appt];

    const { context, page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "offline-front-desk", onTestFailed);
    await signInAs(page, baseUrl, "staff.north");
    // the service worker is active (the next navigation is its), and the coming day is in the vault
    // (polled through evaluate: waitForFunction evals in the page, which the app's CSP refuses)
    const dayUrl = `/api/v1/appointments?locationId=${locationId}&date=${day}`;
    const copy = (await page.evaluate(`new Promise((resolve) => {
      const until = Date.now() + 60000;
      // never open (and so create) the database before the app has: it would have no stores
      const saved = async () => (await indexedDB.databases()).some((d) => d.name === "rounds-offline") ? new Promise((done) => {
        const open = indexedDB.open("rounds-offline");
        open.onerror = () => done(null);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("reads")) return done(null);
          const all = db.transaction("reads").objectStore("reads").getAll();
          all.onsuccess = () => {
            const row = all.result.find((x) => x.url.startsWith(${JSON.stringify(dayUrl)}));
            done(row ? { binary: row.data instanceof ArrayBuffer, plain: new TextDecoder().decode(row.data) } : null);
          };
        };
      }) : null;
      const tick = async () => {
        const row = await saved();
        if (row || Date.now() > until) resolve(row);
        else setTimeout(tick, 250);
      };
      navigator.serviceWorker.ready.then(tick);
    })`)) as { binary: boolean; plain: string } | null;
    // the service worker controls the page, and the coming day is in the vault (prefetched),
    // as ciphertext: no appointment id readable in it
    expect(copy).not.toBeNull();
    expect(copy?.binary).toBe(true);
    expect(copy?.plain).not.toContain(arriving.id);

    await context.setOffline(true);
    await page.goto(`${baseUrl}/staff?date=${day}`);
    const banner = page.getByRole("status").filter({ hasText: "You are offline" });
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/data saved at .* ago/);
    const tile = (id: string) =>
      page
        .getByTestId("day-appointment")
        .filter({ has: page.locator(`a[href="/staff/appointments/${id}"]`) });
    await tile(arriving.id)
      .getByRole("button", { name: /Check in/ })
      .click();
    await tile(arriving.id).getByText("Check in waiting to be sent").waitFor();
    // someone else cancels the second visit while this desk is offline; the desk checks it in
    await admin.post(`/api/v1/appointments/${cancelledMeanwhile.id}/cancel`, {
      reason: "the physician is ill",
    });
    await tile(cancelledMeanwhile.id)
      .getByRole("button", { name: /Check in/ })
      .click();
    await tile(cancelledMeanwhile.id).getByText("Check in waiting to be sent").waitFor();
    expect((await staff.get<Appt>(`/api/v1/appointments/${arriving.id}`)).status).toBe("booked");

    await context.setOffline(false);
    await expect
      .poll(async () => (await staff.get<Appt>(`/api/v1/appointments/${arriving.id}`)).status, {
        timeout: 30_000,
      })
      .toBe("checked_in");
    const conflicts = page.getByTestId("offline-conflicts");
    await conflicts.waitFor();
    expect(await conflicts.textContent()).toMatch(/now Cancelled/);
    const violations = (
      await new AxeBuilder({ page }).include("main").withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze()
    ).violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    expect(violations).toEqual([]);
    await shot();
    // the cancelled visit stays cancelled: the person discards their check-in
    await conflicts.getByRole("button", { name: /^Discard/ }).click();
    await conflicts.waitFor({ state: "detached" });
    expect((await staff.get<Appt>(`/api/v1/appointments/${cancelledMeanwhile.id}`)).status).toBe("cancelled");
    await context.close();
  });
});

/**
 * Regenerates docs/screenshots/{patient,physician,staff,admin}.png for the README: builds the web
 * app, starts `rounds serve` on a fresh demo network, arranges the same scenes the browser tests
 * walk through, and photographs them in Debian's Chromium. Run with `npm run screenshots`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  type Api,
  addDays,
  apiAs,
  arrangeTravellingDay,
  bookFirstOption,
  launchBrowser,
  newPage,
  signInAs,
  today,
  weekday,
} from "../test/browser/support.js";
import { startServerProcess } from "../test/support/servers.js";

const OUT = "docs/screenshots";
const MAX_BYTES = 300 * 1024;

interface Location {
  id: string;
  kind: string;
}

async function main(): Promise<void> {
  execFileSync("npm", ["run", "build:web"], { stdio: "inherit" });
  const dataDir = mkdtempSync(join(tmpdir(), "rounds-screenshots-"));
  const server = await startServerProcess(
    { ROUNDS_DATA_DIR: dataDir, ROUNDS_SEED_DEMO: "true", ROUNDS_NOTIFICATIONS_WORKER: "false" },
    600_000,
  );
  const browser = await launchBrowser();
  mkdirSync(OUT, { recursive: true });
  try {
    const base = server.url;
    const admin = await apiAs(base, "admin");
    const physician = await apiAs(base, "physician");
    const { items: locations } = await admin.get<{ items: Location[] }>("/api/v1/locations?limit=500");
    const main = locations.find((l) => l.kind === "main_campus")!;
    // the same scene as the patient journey: the main campus's accessible bays are closed
    await admin.patch(`/api/v1/locations/${main.id}`, { parking: { accessibleSpaces: 0 } });
    const physicianId = String(physician.user.physicianId);
    const { day, typeIds, patientIds } = await arrangeTravellingDay(admin, physicianId, 3);
    await fillWeek(admin, physicianId, day, typeIds, patientIds);

    await shoot("patient", { width: 1280, height: 1250 }, async (page) => {
      await signInAs(page, base, "patient");
      await page.getByRole("combobox", { name: "Specialty" }).click();
      await page.getByRole("option", { name: "Cardiology", exact: true }).click();
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByTestId("comparison").waitFor({ timeout: 120_000 });
      await page.getByRole("heading", { name: "Find care" }).scrollIntoViewIfNeeded();
    });

    await shoot("physician", { width: 1280, height: 1500 }, async (page) => {
      await signInAs(page, base, "physician");
      await page.goto(`${base}/physician?date=${day}`);
      await page.locator(`td.fc-day[data-date="${day}"] .fc-event.travel-gap`).first().waitFor();
    });

    await shoot("staff", { width: 1280, height: 1000 }, async (page) => {
      let date = addDays(today(), 1);
      while (weekday(date) > 5) date = addDays(date, 1);
      await signInAs(page, base, "staff.north");
      await page.goto(`${base}/staff?date=${date}`);
      await page.getByTestId("day-grid").waitFor();
      await page.getByTestId("day-appointment").first().waitFor();
      // patients' names arrive one by one; let them settle
      await page.waitForTimeout(3000);
    });

    await shoot("admin", { width: 1280, height: 1100 }, async (page) => {
      await signInAs(page, base, "admin");
      await page.goto(`${base}/admin/locations/${main.id}`);
      await page.getByRole("form", { name: "Location details" }).waitFor();
    });
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  async function shoot(
    name: string,
    viewport: { width: number; height: number },
    scene: (page: Page) => Promise<void>,
  ) {
    const { context, page } = await newPage(browser, viewport);
    try {
      await scene(page);
      await page.evaluate("document.activeElement && document.activeElement.blur()");
      await page.waitForTimeout(500);
      const path = `${OUT}/${name}.png`;
      await page.screenshot({ path });
      const size = statSync(path).size;
      console.log(
        `${path}: ${(size / 1024).toFixed(0)} KB${size > MAX_BYTES ? " — over 300 KB, shrink the scene" : ""}`,
      );
      if (size > MAX_BYTES) process.exitCode = 1;
    } finally {
      await context.close();
    }
  }
}

/** A few patients on each other weekday of the travelling day's week, so the calendar looks lived in. */
async function fillWeek(
  admin: Api,
  physicianId: string,
  day: string,
  typeIds: string[],
  patientIds: string[],
) {
  const { items: templates } = await admin.get<{ items: { weekday: number; locationId: string }[] }>(
    `/api/v1/physicians/${physicianId}/templates?limit=500`,
  );
  const monday = addDays(day, 1 - weekday(day));
  for (let i = 0; i < 5; i++) {
    const date = addDays(monday, i);
    const at = templates.find((t) => t.weekday === weekday(date));
    if (date === day || !at) continue;
    for (let n = 0; n < 3; n++)
      await bookFirstOption(
        admin,
        { physicianId, locationId: at.locationId, date, appointmentTypeIds: typeIds },
        patientIds,
      ).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * WCAG 2.1 A/AA on every screen of the web app, checked by axe-core in the browser at desktop width,
 * and at phone width where the layout changes (plus reflow everywhere and the phone's navigation
 * drawer): any serious or critical violation fails with its rule, element, screen and width.
 * The screens come from the areas' route tables (web/src/<area>/index.tsx): a route that no role
 * visits here fails the last test, so a new screen cannot escape the check.
 */
import { readdirSync, readFileSync } from "node:fs";
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import {
  type Api,
  ApiFailure,
  addDays,
  apiAs,
  browserForSuite,
  newPage,
  signInAs,
  startOfDay,
  today,
} from "./support.js";

const WIDTHS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING = new Set(["serious", "critical"]);

/** Every route pattern the web app's areas declare, e.g. `/patient/hold/:id`. */
function declaredRoutes(): string[] {
  const web = new URL("../../web/src/", import.meta.url);
  const routes: string[] = [];
  for (const entry of readdirSync(web, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    let source: string;
    try {
      source = readFileSync(new URL(`${entry.name}/index.tsx`, web), "utf8");
    } catch {
      continue;
    }
    for (const m of source.matchAll(/path:\s*"([^"]+)"/g)) routes.push(m[1]!);
  }
  return [...new Set(routes)].sort();
}

/** The token of a demo video visit still to come (the demo books some in every region). */
async function demoVideoVisitToken(admin: Api): Promise<string> {
  for (let offset = 0; offset < 5000; offset += 200) {
    const page = await admin.get<{ items: Array<{ joinUrl: string | null }>; total: number }>(
      `/api/v1/appointments?status=booked&limit=200&offset=${offset}`,
    );
    const link = page.items.find((a) => a.joinUrl)?.joinUrl;
    if (link) return link.slice(link.lastIndexOf("/") + 1);
    if (offset + 200 >= page.total) break;
  }
  throw new Error("the demo has no video visit to come");
}

/** A screen state worth checking on its own: a dialog, a tab, an expanded row. */
interface State {
  name: string;
  open: (page: Page) => Promise<void>;
  close?: (page: Page) => Promise<void>;
  /** What the state changed, when not the whole screen (the rest was checked before it opened). */
  scope?: string;
}

interface Screen {
  name: string;
  /** The route pattern this screen is (as the area's route table spells it), or null outside them. */
  route: string | null;
  url: string;
  ready: (page: Page) => Promise<void>;
  states?: State[];
}

/** The capacity planning screen's list of saved proposals, or its note that there are none. */
const savedProposals = async (page: Page) => {
  await page
    .getByRole("table", { name: "Saved proposals" })
    .or(page.getByText("No proposals for this specialty yet."))
    .waitFor();
};

const heading = (name: string | RegExp) => async (page: Page) => {
  await page.getByRole("heading", { name, level: 1 }).waitFor();
};

/** The mobile equipment screen once its list (or the sentence saying there is none) is in. */
const mobileEquipment = async (page: Page) => {
  await heading("Mobile equipment")(page);
  await page
    .getByTestId("mobile-equipment")
    .or(page.getByText("No equipment that travels"))
    .first()
    .waitFor();
};

const closeDialog = async (page: Page) => {
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
};

const openDialog = (button: string | RegExp, dialog: string | RegExp, nth = 0) => ({
  scope: "[role=dialog]",
  open: async (page: Page) => {
    await page.getByRole("button", { name: button }).nth(nth).click();
    await page.getByRole("dialog", { name: dialog }).waitFor();
  },
  close: closeDialog,
});

const tab = (name: string) => async (page: Page) => {
  await page.getByRole("tab", { name }).click();
  await page.getByRole("tabpanel", { name }).waitFor();
};

interface Finding {
  rule: string;
  impact: string;
  target: string;
  summary: string;
  screen: string;
  width: string;
}

/**
 * Screens whose layout changes at phone width (the schedule calendar turns into a list, the desk's
 * day narrows): checked whole at both widths. Every other screen is the same markup in one column
 * there, with the same colours, so at phone width it is checked for reflow (WCAG 1.4.10) only.
 */
const NARROW_LAYOUTS = new Set(["/physician", "/staff", "/department"]);

/** WCAG 1.4.10 reflow: at 390 CSS pixels the page itself never scrolls sideways (tables may, inside their own box). */
async function reflows(page: Page, screen: string, findings: Finding[]) {
  await settled(page);
  // the overflow, and the outermost elements that stick out past the right edge (for the report)
  const found = (await page.evaluate(`(() => {
    const width = window.innerWidth;
    const overflow = document.documentElement.scrollWidth - width;
    if (overflow <= 1) return { overflow, culprits: [] };
    const culprits = [];
    for (const el of document.querySelectorAll("body *")) {
      if (el.getBoundingClientRect().right <= width + 1) continue;
      const parent = el.parentElement;
      if (parent && parent.getBoundingClientRect().right > width + 1) continue;
      culprits.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).slice(0, 2).join(".") : "") + " \u201c" + (el.textContent || "").trim().slice(0, 40) + "\u201d");
      if (culprits.length >= 3) break;
    }
    return { overflow, culprits };
  })()`)) as { overflow: number; culprits: string[] };
  if (found.overflow > 1)
    findings.push({
      rule: "reflow",
      impact: "serious",
      target: found.culprits.join(" | ") || "html",
      summary: `the page scrolls sideways by ${found.overflow} px`,
      screen,
      width: "phone",
    });
}

/** Waits until no loader is on screen (a screen is checked as it settles, not while loading). */
async function settled(page: Page) {
  await page
    .locator("main .mantine-Loader, main [role=status]:has-text('Loading')")
    .first()
    .waitFor({ state: "hidden", timeout: 60_000 })
    .catch(() => {});
  // a dialog fading in is half its colours: check it once its transitions have finished (polled
  // through evaluate: waitForFunction evals in the page, which the app's CSP rightly refuses)
  await page.evaluate(`new Promise((resolve) => {
    const until = Date.now() + 30000;
    const settled = () => document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getComputedTiming().iterations === Infinity);
    const tick = () => (settled() || Date.now() > until ? resolve(true) : requestAnimationFrame(tick));
    tick();
  })`);
}

async function check(page: Page, screen: string, width: string, findings: Finding[], scope?: string) {
  await settled(page);
  const t0 = Date.now();
  // Legacy mode runs axe.run in the page, which keeps full node details for violations only. The
  // default (runPartial in the page, finishRun in a second blank page) serialises every node of
  // every passing rule: 2.5 times slower on the location's day (12 s against 5 s). The app has no
  // frames, which is all legacy mode gives up.
  const axe = new AxeBuilder({ page }).setLegacyMode(true);
  if (scope) axe.include(scope);
  const result = await axe
    .withTags(TAGS)
    .options({ resultTypes: ["violations"] })
    .analyze();
  if (process.env.A11Y_TIMING) console.log(`axe ${screen} (${width}): ${Date.now() - t0} ms`);
  for (const v of result.violations) {
    if (!v.impact || !BLOCKING.has(v.impact)) continue;
    for (const node of v.nodes)
      findings.push({
        rule: v.id,
        impact: v.impact,
        target: node.target.join(" "),
        summary: (node.failureSummary ?? v.help).split("\n").slice(0, 2).join(" "),
        screen,
        width,
      });
  }
}

/** In-app navigation, as a link click does: no reload between screens. */
async function go(page: Page, baseUrl: string, url: string) {
  if (!page.url().startsWith(baseUrl) || page.url() === "about:blank") {
    await page.goto(`${baseUrl}${url}`);
    return;
  }
  // the app's router listens to popstate (web/src/shared/router.tsx)
  await page.evaluate(
    `history.pushState(null, "", ${JSON.stringify(url)}); dispatchEvent(new PopStateEvent("popstate"))`,
  );
}

function report(findings: Finding[]): string {
  return findings
    .map((f) => `${f.impact} ${f.rule} on ${f.screen} (${f.width}): ${f.target} — ${f.summary}`)
    .join("\n");
}

describe("every screen meets WCAG 2.1 AA (axe-core, serious and critical)", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();
  const visited = new Set<string>();

  /**
   * Signs in as the role once and checks each screen and state at desktop width; at phone width,
   * whole only the screens whose layout changes there (NARROW_LAYOUTS), every other screen for
   * reflow, and the shell's own phone controls (the navigation drawer) once.
   */
  async function checkRole(who: string | null, screens: (page: Page) => Promise<Screen[]> | Screen[]) {
    const { context, page } = await newPage(chromium.browser);
    const findings: Finding[] = [];
    try {
      if (who) await signInAs(page, baseUrl, who);
      else await page.goto(`${baseUrl}/`);
      const list = await screens(page);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width: width.width, height: width.height });
        for (const s of list) {
          const t0 = Date.now();
          await go(page, baseUrl, s.url);
          await s.ready(page);
          if (process.env.A11Y_TIMING) console.log(`ready ${s.name} (${width.name}): ${Date.now() - t0} ms`);
          if (s.route) visited.add(s.route);
          if (width.name === "phone" && !(s.route && NARROW_LAYOUTS.has(s.route))) {
            await reflows(page, s.name, findings);
            continue;
          }
          await check(page, s.name, width.name, findings);
          for (const state of s.states ?? []) {
            await state.open(page);
            await check(page, `${s.name} › ${state.name}`, width.name, findings, state.scope);
            await state.close?.(page);
          }
        }
        if (width.name === "phone" && who) {
          await page.getByRole("button", { name: "Open navigation" }).click();
          await page.getByRole("navigation", { name: "Main navigation" }).waitFor();
          await check(page, "the navigation drawer", width.name, findings, "header, nav");
          await page.getByRole("button", { name: "Close navigation" }).click();
        }
      }
    } finally {
      await context.close();
    }
    expect(findings, `serious or critical WCAG violations:\n${report(findings)}`).toEqual([]);
  }

  it("the sign-in screen", async () => {
    await checkRole(null, () => [
      {
        name: "sign in",
        route: null,
        url: "/",
        ready: async (page) => {
          await page.getByRole("button", { name: "Sign in" }).waitFor();
        },
      },
      {
        name: "a waitlist offer's link (not valid)",
        route: "/waitlist/offer/:token",
        url: `/waitlist/offer/${"x".repeat(43)}`,
        ready: heading("This link is not valid"),
      },
      {
        name: "a satisfaction survey's link (not valid)",
        route: "/survey/:token",
        url: `/survey/${"x".repeat(43)}`,
        ready: heading("This link is not valid"),
      },
    ]);
  });

  it("a video visit's page, opened from its link without signing in", async () => {
    const admin = await apiAs(baseUrl, "admin");
    const token = await demoVideoVisitToken(admin);
    await checkRole(null, () => [
      {
        name: "video visit",
        route: "/visit/:token",
        url: `/visit/${token}`,
        ready: async (page) => {
          await heading("Video visit")(page);
          await page.getByRole("heading", { level: 2 }).waitFor();
        },
      },
      {
        name: "video visit (a link nobody was given)",
        route: "/visit/:token",
        url: `/visit/${"x".repeat(43)}`,
        ready: async (page) => {
          await page.getByTestId("not-found").waitFor();
        },
      },
    ]);
  });

  it("a patient's screens: find care, results, hold, family visits, appointments, cancel, messages, preferences", async () => {
    const patient = await apiAs(baseUrl, "patient");
    const patientId = patient.user.patientId as string;
    const { items: types } = await patient.get<{ items: { id: string; visitKind: string }[] }>(
      "/api/v1/appointment-types?specialty=cardiology&active=true",
    );
    const typeId = (types.find((t) => t.visitKind === "new") ?? types[0])!.id;
    const q = new URLSearchParams({
      appointmentTypeId: typeId,
      patientId,
      from: startOfDay(addDays(today(), 3)),
      to: startOfDay(addDays(today(), 10)),
      limit: "10",
    });
    const { options } = await patient.get<{ options: { id: string }[] }>(`/api/v1/availability?${q}`);
    // a hold and a booking, each on the first option still free (one may take the other's physician)
    const take = async (path: string) => {
      for (const o of options.splice(0)) {
        try {
          return await patient.post<{ id: string }>(path, { optionId: o.id, patientId });
        } catch (err) {
          if (!(err instanceof ApiFailure) || err.status !== 409) throw err;
        }
      }
      throw new Error(`no free option for ${path}`);
    };
    const held = await take("/api/v1/holds");
    options.push(...(await patient.get<{ options: { id: string }[] }>(`/api/v1/availability?${q}`)).options);
    const booked = await take("/api/v1/appointments");
    const { items: referrals } = await patient.get<{ items: { id: string }[] }>("/api/v1/referrals?limit=1");
    expect(referrals.length).toBe(1);
    // the demo's offer of a new time (open, or answered by the rescheduling journey)
    const { items: offers } = await patient.get<{ items: { id: string }[] }>(
      "/api/v1/reschedule-offers?limit=1",
    );
    expect(offers.length).toBe(1);

    await checkRole("patient", () => [
      {
        name: "find care",
        route: "/patient",
        url: "/patient",
        ready: heading("Find care"),
        states: [
          {
            name: "search results and comparison",
            open: async (page) => {
              await page.getByRole("combobox", { name: "Specialty" }).click();
              await page.getByRole("option", { name: "Cardiology", exact: true }).click();
              await page.getByRole("button", { name: "Search" }).click();
              await page.getByText(/options across the network/).waitFor({ timeout: 120_000 });
            },
          },
        ],
      },
      { name: "hold", route: "/patient/hold/:id", url: `/patient/hold/${held.id}`, ready: heading(/./) },
      {
        name: "my appointments",
        route: "/patient/appointments",
        url: "/patient/appointments",
        ready: heading("My appointments"),
      },
      {
        name: "an appointment",
        route: "/patient/appointments/:id",
        url: `/patient/appointments/${booked.id}`,
        ready: heading(/./),
        states: [{ name: "cancel dialog", ...openDialog("Cancel", "Cancel this appointment?") }],
      },
      { name: "messages", route: "/patient/messages", url: "/patient/messages", ready: heading("Messages") },
      {
        name: "preferences",
        route: "/patient/preferences",
        url: "/patient/preferences",
        ready: heading("Preferences"),
      },
      {
        name: "prescriptions and rides",
        route: "/patient/prescriptions",
        url: "/patient/prescriptions",
        ready: async (page) => {
          await heading("Prescriptions and rides")(page);
          await page.getByRole("switch", { name: "Needs transport to appointments" }).waitFor();
          await page
            .getByRole("table", { name: "Pharmacy per location" })
            .or(page.getByText("No location yet"))
            .first()
            .waitFor();
        },
      },
      { name: "my referrals", route: "/patient/referrals", url: "/patient/referrals", ready: heading(/./) },
      {
        name: "waitlist (an open offer, entries, the join form)",
        route: "/patient/waitlist",
        url: "/patient/waitlist",
        ready: async (page) => {
          await heading("Waitlist")(page);
          await page
            .getByRole("button", { name: /^Accept / })
            .first()
            .waitFor();
        },
      },
      {
        name: "a referral",
        route: "/patient/referrals/:id",
        url: `/patient/referrals/${referrals[0]!.id}`,
        ready: heading(/./),
      },
      {
        name: "an offer of a new time",
        route: "/patient/reschedule-offers/:id",
        url: `/patient/reschedule-offers/${offers[0]!.id}`,
        ready: async (page) => {
          await heading("A new time for your appointment")(page);
          await page.getByText(/can no longer take place/).waitFor();
        },
      },
      {
        name: "family visits",
        route: "/patient/family",
        url: "/patient/family",
        ready: heading("Family visits"),
        states: [
          {
            name: "trips for the children",
            open: async (page) => {
              await page.getByRole("checkbox", { name: "I come on this trip" }).uncheck();
              const specialties = page.locator("fieldset").getByRole("combobox", { name: "Specialty" });
              for (let i = 0; i < (await specialties.count()); i++) {
                await specialties.nth(i).click();
                await page.getByRole("option", { name: "Pediatrics", exact: true }).click();
              }
              await page.getByRole("button", { name: "Find trips" }).click();
              await page
                .getByRole("heading", { name: /trips for everyone$|^No trip fits everyone$/ })
                .waitFor({ timeout: 120_000 });
            },
          },
        ],
      },
      {
        name: "a family's booked appointments",
        route: "/patient/family/booked",
        url: `/patient/family/booked?ids=${booked.id}`,
        ready: heading("Your family's appointments"),
      },
      {
        name: "a page that does not exist",
        route: null,
        url: "/patient/nowhere",
        ready: async (page) => {
          await page.getByTestId("not-found").waitFor();
        },
      },
    ]);
  });

  it("a physician's screens: the schedule (week and list), a patient's record, time off", async () => {
    const physician = await apiAs(baseUrl, "physician");
    const physicianId = physician.user.physicianId as string;
    const { items } = await physician.get<{ items: { patientId: string }[] }>(
      `/api/v1/appointments?physicianId=${physicianId}&status=booked&limit=1`,
    );
    expect(items.length).toBe(1);
    await checkRole("physician", () => [
      {
        name: "my schedule",
        route: "/physician",
        url: "/physician",
        ready: async (page) => {
          await heading("My schedule")(page);
          await page.getByTestId("physician-calendar").locator(".fc-view").waitFor();
        },
        states: [
          {
            name: "list view",
            open: async (page) => {
              await page.getByRole("button", { name: "List" }).click();
              await page.locator(".fc-list").waitFor();
            },
          },
        ],
      },
      {
        name: "a patient's record",
        route: "/physician/patients/:id",
        url: `/physician/patients/${items[0]!.patientId}`,
        ready: async (page) => {
          await heading(/./)(page);
          // the records from the EMR (the built-in simulator) are part of the sweep
          await page.getByRole("tab", { name: /Lab results/ }).waitFor();
          // the visit is the physician's own and booked: the prescribe form is there
          await page.getByRole("form", { name: "Prescribe" }).waitFor();
        },
        states: [
          {
            name: "a prescription refused, the errors next to their fields",
            scope: "form[aria-label=Prescribe]",
            open: async (page) => {
              await page.getByRole("button", { name: "Prescribe", exact: true }).click();
              await page.locator('form[aria-label=Prescribe] [aria-invalid="true"]').first().waitFor();
            },
          },
        ],
      },
      {
        name: "time off",
        route: "/physician/time-off",
        url: "/physician/time-off",
        ready: heading("Time off"),
      },
      {
        name: "referrals sent",
        route: "/physician/referrals",
        url: "/physician/referrals",
        ready: heading(/./),
      },
    ]);
  });

  it("the front desk's screens: the day by room and by physician, an appointment, cancel, booking, rooms and equipment with an out-of-service preview", async () => {
    // a satellite's day: the same screen as the main campus's, with a few hundred fewer elements to check
    const staff = await apiAs(baseUrl, "staff.north");
    const locationId = (staff.user.locationIds as string[])[0]!;
    const { items } = await staff.get<{ items: { id: string; local: { date: string } }[] }>(
      `/api/v1/appointments?locationId=${locationId}&status=booked&from=${new Date().toISOString()}&limit=1`,
    );
    expect(items.length).toBe(1);
    const appt = items[0]!;
    await checkRole("staff.north", () => [
      {
        name: "the location's day",
        route: "/staff",
        url: `/staff?date=${appt.local.date}`,
        ready: async (page) => {
          await heading(/./)(page);
          await page.getByTestId("day-grid").waitFor();
        },
        states: [
          {
            name: "by physician",
            open: async (page) => {
              await page.getByText("By physician", { exact: true }).click();
              await expect
                .poll(() => page.getByRole("radio", { name: "By physician" }).isChecked())
                .toBe(true);
              await page.getByTestId("day-grid").waitFor();
            },
          },
        ],
      },
      {
        name: "an appointment",
        route: "/staff/appointments/:id",
        url: `/staff/appointments/${appt.id}`,
        ready: async (page) => {
          await heading(/./)(page);
          await page.getByRole("switch", { name: "Needs transport to appointments" }).waitFor();
        },
        states: [{ name: "cancel dialog", ...openDialog("Cancel", "Cancel this appointment?") }],
      },
      { name: "book for a patient", route: "/staff/book", url: "/staff/book", ready: heading(/./) },
      { name: "referrals", route: "/staff/referrals", url: "/staff/referrals", ready: heading(/./) },
      {
        name: "rides of the day",
        route: "/staff/rides",
        url: `/staff/rides?date=${appt.local.date}`,
        ready: async (page) => {
          await heading(/^Rides/)(page);
          await page
            .getByRole("table", { name: "Rides of the day" })
            .or(page.getByText("No rides."))
            .first()
            .waitFor();
        },
      },
      {
        name: "rescheduling: unavailable today and the report",
        route: "/staff/rescheduling",
        url: "/staff/rescheduling",
        ready: async (page) => {
          await heading(/^Rescheduling at/)(page);
          await page.getByRole("heading", { name: /^Report:/ }).waitFor();
        },
      },
      {
        name: "mobile equipment",
        route: "/staff/equipment",
        url: "/staff/equipment",
        ready: mobileEquipment,
      },
      {
        name: "quality: survey results of their location",
        route: "/staff/surveys",
        url: "/staff/surveys",
        ready: async (page) => {
          await heading("Quality: patient satisfaction")(page);
          await page.getByText("Average rating").waitFor();
        },
      },
      {
        name: "rooms and equipment",
        route: "/staff/facilities",
        url: "/staff/facilities",
        ready: async (page) => {
          await heading("Rooms and equipment")(page);
          await page.getByRole("form", { name: "Overbooking rule" }).waitFor();
          await page.getByRole("table", { name: "Equipment" }).waitFor();
        },
        states: [
          {
            // the server's what-if (nothing changes until it is saved), shown before saving
            name: "taking an item out of service: the preview",
            open: async (page) => {
              const table = page.getByRole("table", { name: "Equipment" });
              await table
                .getByRole("button", { name: /^Take .* out of service$/ })
                .first()
                .click();
              await page.getByRole("button", { name: "Preview" }).click();
              await page.getByTestId("out-of-service-preview").waitFor({ timeout: 60_000 });
            },
          },
        ],
      },
      {
        name: "imaging worklist",
        route: "/staff/imaging",
        url: "/staff/imaging",
        ready: async (page) => {
          await heading("Imaging worklist")(page);
          await page.getByTestId("worklist-ae-title").waitFor();
        },
      },
      {
        name: "reports (own location)",
        route: "/staff/reports",
        url: "/staff/reports",
        ready: async (page) => {
          await heading("Reports")(page);
          await page
            .getByText(/side by side|No appointments in this range/)
            .first()
            .waitFor();
        },
      },
    ]);
  });

  it("the main campus desk's waitlist: figures, waiting patients, offers, the join form", async () => {
    await checkRole("staff.main", () => [
      {
        name: "waitlist",
        route: "/staff/waitlist",
        url: "/staff/waitlist",
        ready: async (page) => {
          await heading("Waitlist")(page);
          await page.getByRole("table", { name: "Waiting patients" }).waitFor();
          await page.getByRole("table", { name: "Recent offers" }).waitFor();
        },
      },
    ]);
  });

  it("the main campus desk's extra seats: the day's open seats and booking a patient into one", async () => {
    const staff = await apiAs(baseUrl, "staff.main");
    const campus = (staff.user.locationIds as string[])[0]!;
    // the demo campus overbooks; its seats open once the no-show model has trained at start
    let seat: { start: string } | undefined;
    for (let i = 0; i < 30 && !seat; i++) {
      const from = new Date().toISOString();
      const to = new Date(Date.now() + 7 * 86_400_000).toISOString();
      seat = (
        await staff.get<{ seats: Array<{ start: string }> }>(
          `/api/v1/locations/${campus}/extra-seats?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
        )
      ).seats[0];
      if (!seat) await new Promise((r) => setTimeout(r, 2000));
    }
    expect(seat).toBeDefined();
    const { timeZone } = await staff.get<{ timeZone: string }>(`/api/v1/locations/${campus}`);
    const date = new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date(seat!.start));
    await checkRole("staff.main", () => [
      {
        name: "the day with an open extra seat",
        route: "/staff",
        url: `/staff?date=${date}`,
        ready: async (page) => {
          await page.getByTestId("extra-seats").waitFor();
        },
        states: [
          {
            name: "booking a patient into the extra seat",
            open: async (page) => {
              await page
                .getByRole("button", { name: /^Book the extra seat at/ })
                .first()
                .click();
              await page.getByRole("form", { name: "Find a patient" }).first().waitFor();
            },
            // the form stays open on the same address: the next width starts from the seats again
            close: async (page) => {
              await page.reload();
              await page.getByTestId("extra-seats").waitFor();
            },
          },
        ],
      },
    ]);
  });

  it("a department head's screens: schedules with every change tab", async () => {
    const head = await apiAs(baseUrl, "head.cardiology");
    expect(head.user.role).toBe("department_head");
    await checkRole("head.cardiology", () => [
      {
        name: "department schedules",
        route: "/department",
        url: "/department",
        ready: heading("Department schedules"),
        states: [
          {
            name: "a physician's calendar and changes",
            open: async (page) => {
              await page.getByRole("combobox", { name: "Physician" }).click();
              await page.getByRole("option").first().click();
              await page.getByRole("tab", { name: "Move a weekday" }).waitFor();
            },
          },
          { name: "weekly template tab", open: tab("Weekly template"), scope: "[role=tabpanel]" },
          { name: "rotations tab", open: tab("Rotations"), scope: "[role=tabpanel]" },
          { name: "time off tab", open: tab("Time off"), scope: "[role=tabpanel]" },
          { name: "unavailable today tab", open: tab("Unavailable today"), scope: "[role=tabpanel]" },
          { name: "rescheduling reports tab", open: tab("Rescheduling reports"), scope: "[role=tabpanel]" },
        ],
      },
      {
        name: "quality: survey results of a physician",
        route: "/department/surveys",
        url: "/department/surveys",
        ready: async (page) => {
          await heading("Quality: patient satisfaction")(page);
          await page.getByText("Average rating").waitFor();
        },
      },
      {
        name: "capacity planning (department)",
        route: "/department/capacity",
        url: "/department/capacity",
        ready: async (page) => {
          await heading("Capacity planning")(page);
          await savedProposals(page);
        },
        states: [
          {
            name: "a proposal beside today's plan",
            open: async (page) => {
              await page.getByRole("button", { name: "Propose" }).click();
              await page.getByRole("table", { name: "Assignments per physician and day" }).waitFor();
            },
          },
        ],
      },
      {
        name: "fee schedule (read only)",
        route: "/department/fees",
        url: "/department/fees",
        ready: async (page) => {
          await heading("Fee schedule")(page);
          await page.getByRole("table", { name: /^Fee schedule at / }).waitFor();
        },
      },
      {
        name: "physician contracts (department)",
        route: "/department/contracts",
        url: "/department/contracts",
        ready: async (page) => {
          await heading("Physician contracts")(page);
          await page.getByText("Choose a physician to see and edit their contract.").waitFor();
        },
        states: [
          {
            name: "a physician's contract",
            open: async (page) => {
              await page.getByRole("combobox", { name: "Physician" }).click();
              await page.getByRole("option").first().click();
              await page.getByRole("button", { name: "Save contract" }).waitFor();
            },
          },
          {
            name: "a contract refused, the error next to its field",
            open: async (page) => {
              await page.getByRole("textbox", { name: "Hours per week" }).fill("");
              await page.getByRole("button", { name: "Save contract" }).click();
              // the server's message sits under the field, which reads as invalid
              await page.locator('input[aria-invalid="true"]').first().waitFor();
            },
          },
        ],
      },
      {
        name: "reports (department)",
        route: "/department/reports",
        url: "/department/reports",
        ready: async (page) => {
          await heading("Reports")(page);
          await page
            .getByText(/side by side|No appointments in this range/)
            .first()
            .waitFor();
        },
      },
    ]);
  });

  it("an administrator's screens: locations, a location's tabs, travel matrix, users, types, audit log, no-show model, and their dialogs", async () => {
    const admin = await apiAs(baseUrl, "admin");
    const { items } = await admin.get<{ items: { id: string }[] }>("/api/v1/locations?limit=1");
    await checkRole("admin", () => [
      { name: "locations", route: "/admin", url: "/admin", ready: heading("Locations") },
      {
        name: "a location",
        route: "/admin/locations/:id",
        url: `/admin/locations/${items[0]!.id}`,
        ready: async (page) => {
          await page.getByRole("tab", { name: "Details" }).waitFor();
        },
        states: [
          { name: "departments tab", open: tab("Departments"), scope: "[role=tabpanel]" },
          { name: "rooms tab", open: tab("Rooms"), scope: "[role=tabpanel]" },
          { name: "equipment tab", open: tab("Equipment"), scope: "[role=tabpanel]" },
          {
            name: "overbooking tab",
            open: async (page) => {
              await tab("Overbooking")(page);
              await page.getByRole("form", { name: "Overbooking rule" }).waitFor();
            },
            scope: "[role=tabpanel]",
          },
        ],
      },
      {
        name: "travel matrix",
        route: "/admin/travel",
        url: "/admin/travel",
        ready: async (page) => {
          await heading("Travel times")(page);
          await page.getByRole("table").waitFor();
        },
        states: [{ name: "edit a travel time", ...openDialog(/minutes/, "Travel time") }],
      },
      {
        name: "mobile equipment",
        route: "/admin/equipment",
        url: "/admin/equipment",
        ready: mobileEquipment,
      },
      {
        name: "users and scopes",
        route: "/admin/users",
        url: "/admin/users",
        ready: heading(/Users/),
        states: [{ name: "new user dialog", ...openDialog("New user", "New user") }],
      },
      {
        name: "appointment types",
        route: "/admin/appointment-types",
        url: "/admin/appointment-types",
        ready: heading("Appointment types"),
        states: [{ name: "new type dialog", ...openDialog("New appointment type", "New appointment type") }],
      },
      {
        name: "waitlist (any location)",
        route: "/admin/waitlist",
        url: "/admin/waitlist",
        ready: async (page) => {
          await heading("Waitlist")(page);
          await page.getByRole("heading", { name: "Waiting patients" }).waitFor();
        },
      },
      {
        name: "no-show model",
        route: "/admin/no-show-model",
        url: "/admin/no-show-model",
        ready: async (page) => {
          await heading("No-show model")(page);
          // trained from the demo history at start: the evaluation, or the note that none is trained yet
          await page
            .getByText(/Calibration on held-out appointments|No model yet/)
            .first()
            .waitFor();
        },
      },
      {
        name: "FHIR system clients",
        route: "/admin/fhir-clients",
        url: "/admin/fhir-clients",
        ready: async (page) => {
          await heading("FHIR system clients")(page);
          await page.getByRole("table", { name: "FHIR system clients" }).waitFor();
        },
        states: [
          { name: "register dialog", ...openDialog("Register a client", "Register a FHIR system client") },
        ],
      },
      {
        name: "quality: survey results",
        route: "/admin/surveys",
        url: "/admin/surveys",
        ready: async (page) => {
          await heading("Quality: patient satisfaction")(page);
          await page.getByText("Average rating").waitFor();
        },
      },
      {
        name: "capacity planning (any specialty)",
        route: "/admin/capacity",
        url: "/admin/capacity",
        ready: async (page) => {
          await heading("Capacity planning")(page);
          await savedProposals(page);
        },
      },
      {
        name: "physician contracts (any specialty)",
        route: "/admin/contracts",
        url: "/admin/contracts",
        ready: async (page) => {
          await heading("Physician contracts")(page);
          await page.getByText("Choose a physician to see and edit their contract.").waitFor();
        },
      },
      {
        name: "copay rules and caps",
        route: "/admin/pricing",
        url: "/admin/pricing",
        ready: async (page) => {
          await heading("Copays")(page);
          await page.getByRole("table", { name: "Copay rules" }).waitFor();
          await page.getByRole("table", { name: "Caps per plan" }).waitFor();
        },
      },
      {
        name: "fee schedule",
        route: "/admin/fees",
        url: "/admin/fees",
        ready: async (page) => {
          await heading("Fee schedule")(page);
          await page.getByRole("table", { name: /^Fee schedule at / }).waitFor();
        },
        states: [
          {
            name: "a billing code refused next to its field",
            open: async (page) => {
              const code = page.getByRole("textbox", { name: /^Billing code for / }).first();
              await code.fill("not a code!");
              await page
                .getByRole("button", { name: /^Save the fee for / })
                .first()
                .click();
              await page.getByText("must be 1–20 letters, digits, dots or hyphens").first().waitFor();
            },
          },
        ],
      },
      {
        name: "billing",
        route: "/admin/billing",
        url: "/admin/billing",
        ready: async (page) => {
          await heading("Billing")(page);
          await page.getByRole("heading", { name: "Exported batches" }).waitFor();
          await page.getByRole("button", { name: "Save billing identity" }).waitFor();
        },
        states: [
          {
            name: "an export's outcome",
            open: async (page) => {
              // a day with no completed visit: the refusal says so
              await page.getByLabel("First service date").fill("2090-01-01");
              await page.getByLabel("Last service date").fill("2090-01-01");
              await page.getByRole("button", { name: "Export", exact: true }).click();
              await page.getByRole("status").or(page.getByRole("alert")).first().waitFor();
            },
          },
        ],
      },
      {
        name: "HL7 messages",
        route: "/admin/hl7",
        url: "/admin/hl7",
        ready: async (page) => {
          await heading("HL7 messages")(page);
          await page.getByRole("table", { name: "HL7 messages" }).waitFor();
        },
        states: [
          {
            name: "a message's text",
            scope: "table",
            open: async (page) => {
              await page.getByRole("button", { name: "Show message" }).first().click();
            },
          },
        ],
      },
      {
        name: "reports: patient flow",
        route: "/admin/reports",
        url: "/admin/reports",
        ready: async (page) => {
          await heading("Reports")(page);
          await page
            .getByText(/side by side/)
            .first()
            .waitFor();
        },
        states: [
          {
            name: "patient flow",
            open: async (page) => {
              await page.getByText("Patient flow", { exact: true }).click();
              await page.getByRole("table", { name: "Patient flow" }).waitFor();
            },
          },
        ],
      },
      {
        name: "audit log",
        route: "/admin/audit",
        url: "/admin/audit",
        ready: async (page) => {
          await heading("Audit log")(page);
          await page.getByRole("table", { name: "Audit events" }).waitFor();
        },
        states: [
          {
            name: "an event's details",
            scope: "table",
            open: async (page) => {
              await page.getByRole("button", { name: "Details" }).first().click();
            },
          },
        ],
      },
    ]);
  });

  it("the compliance officer's audit log", async () => {
    const officer = await apiAs(baseUrl, "compliance");
    const open = await officer.get<{ items: Array<{ id: string }> }>("/api/v1/incidents?status=open&limit=1");
    await checkRole("compliance", () => [
      {
        name: "audit log (compliance)",
        route: "/admin/audit",
        url: "/admin/audit",
        ready: async (page) => {
          await heading("Audit log")(page);
          await page.getByRole("table", { name: "Audit events" }).waitFor();
        },
      },
      {
        name: "compliance monitoring with its alerts",
        route: "/admin/audit/monitoring",
        url: "/admin/audit/monitoring",
        ready: async (page) => {
          await heading("Compliance monitoring")(page);
          await page.getByRole("heading", { name: /^Open alerts/ }).waitFor();
          // the demo's open alert, with its note and its acknowledge and resolve buttons
          await page.getByRole("button", { name: "Resolve" }).first().waitFor();
          await page.getByRole("heading", { name: /^Resolved alerts/ }).waitFor();
          await page.getByRole("heading", { name: "Alert messages" }).waitFor();
        },
      },
      {
        name: "security incidents",
        route: "/admin/audit/incidents",
        url: "/admin/audit/incidents",
        ready: async (page) => {
          await heading("Security incidents")(page);
          await page.getByRole("table", { name: "Security incidents" }).waitFor();
        },
      },
      {
        name: "data residency, region by region and location by location",
        route: "/admin/audit/residency",
        url: "/admin/audit/residency",
        ready: async (page) => {
          await heading("Data residency")(page);
          await page.getByRole("table", { name: "Regions" }).waitFor();
          await page
            .getByRole("table", { name: /^Where .+'s data lives$/ })
            .first()
            .waitFor();
        },
      },
      {
        name: "a security incident with its timeline",
        route: "/admin/audit/incidents/:id",
        url: `/admin/audit/incidents/${open.items[0]!.id}`,
        ready: async (page) => {
          await page.getByRole("heading", { name: "Timeline" }).waitFor();
          await page.getByRole("button", { name: "Resolve" }).waitFor();
        },
      },
    ]);
  });

  it("every route of the web app was checked", () => {
    const missing = declaredRoutes().filter((r) => !visited.has(r));
    expect(missing, `routes no role visited in this test: ${missing.join(", ")}`).toEqual([]);
    expect(visited.size).toBeGreaterThanOrEqual(15);
  });
});

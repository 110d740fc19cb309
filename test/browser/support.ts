/** Browser and API helpers for the journeys: Debian's Chromium, demo sign-ins, screenshots. */
import { mkdirSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll } from "vitest";

export const DEMO_PASSWORD = "rounds-demo-2026";
export const demoEmail = (who: string) => `${who}@demo.rounds.test`;
/** The demo network's clocks; the browser runs in the same zone as most of its locations. */
export const ZONE = "America/New_York";
const SHOTS = "test-results";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

/** One Chromium for a test file: launched before its tests, closed after them. */
export function browserForSuite(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error("the browser is launched in beforeAll; use it inside a test");
      return browser;
    },
  };
}

export async function newPage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport,
    timezoneId: ZONE,
    locale: "en-US",
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  return { context, page };
}

/**
 * Saves `test-results/<name>.png` when the test ends, and `<name>-failed.png` when it fails, so the
 * CI log always has a picture of where a journey stopped.
 */
export function keepScreenshot(
  page: Page,
  name: string,
  onFailed: (fn: () => Promise<void>) => void,
): () => Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  onFailed(async () => {
    await page.screenshot({ path: `${SHOTS}/${name}-failed.png`, fullPage: true }).catch(() => {});
  });
  return async () => {
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
  };
}

/** The text of an element (Playwright's, not the DOM's). */
export const text = async (l: Locator): Promise<string> => (await l.textContent()) ?? "";

export async function signInAs(page: Page, baseUrl: string, who: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel("Email").fill(demoEmail(who));
  await page.getByRole("textbox", { name: "Password" }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-as").waitFor();
}

/** A signed-in API client for arranging a journey's data (as a real client would, over HTTP). */
export async function apiAs(baseUrl: string, who: string) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: demoEmail(who), password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`${who} could not sign in: ${login.status} ${await login.text()}`);
  const { token, user } = (await login.json()) as { token: string; user: Record<string, unknown> };
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiFailure(res.status, `${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    user,
    get: <T>(path: string) => call<T>("GET", path),
    post: <T>(path: string, body: unknown) => call<T>("POST", path, body ?? {}),
    patch: <T>(path: string, body: unknown) => call<T>("PATCH", path, body),
  };
}
export type Api = Awaited<ReturnType<typeof apiAs>>;

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Today's date on the demo network's clocks. */
export function today(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(new Date());
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** ISO weekday, Monday = 1. */
export function weekday(date: string): number {
  return ((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

/** The first date after today that falls on an ISO weekday (never today: today's slots may be past). */
export function nextWeekday(isoWeekday: number, after = today()): string {
  let d = addDays(after, 1);
  while (weekday(d) !== isoWeekday) d = addDays(d, 1);
  return d;
}

/** Midnight at the start of a local date on the network's clocks, as an ISO instant. */
export const startOfDay = (date: string): string =>
  Temporal.PlainDate.from(date).toZonedDateTime(ZONE).toInstant().toString();

interface SlotOption {
  id: string;
  start: string;
  locationId: string;
}

let bookings = 0;

/**
 * Books the first option the API offers for this need, trying a few patients in turn (a patient
 * may already be busy then): the journeys need appointments that exist for certain.
 */
export async function bookFirstOption(
  admin: Api,
  need: { physicianId: string; locationId: string; date: string; appointmentTypeIds: string[] },
  patientIds: string[],
): Promise<{ appointmentId: string; start: string }> {
  // each booking starts with the next patient, so a busy day is not one person booked all day
  const start = bookings++ % Math.max(1, patientIds.length);
  const patients = [...patientIds.slice(start), ...patientIds.slice(0, start)];
  const from = startOfDay(need.date);
  const to = startOfDay(addDays(need.date, 1));
  for (const typeId of need.appointmentTypeIds) {
    for (const patientId of patients) {
      const q = new URLSearchParams({
        appointmentTypeId: typeId,
        physicianId: need.physicianId,
        locationIds: need.locationId,
        patientId,
        from,
        to,
        limit: "5",
      });
      const { options } = await admin.get<{ options: SlotOption[] }>(`/api/v1/availability?${q}`);
      for (const o of options) {
        try {
          const a = await admin.post<{ id: string; start: string }>("/api/v1/appointments", {
            optionId: o.id,
            patientId,
          });
          return { appointmentId: a.id, start: a.start };
        } catch (err) {
          if (!(err instanceof ApiFailure) || err.status !== 409) throw err;
        }
      }
    }
  }
  throw new Error(`no bookable option for ${JSON.stringify(need)}`);
}

interface Location {
  id: string;
  code: string;
  name: string;
  kind: string;
}

/**
 * A day on which the physician works the morning at one of their locations and the afternoon at
 * another, with a patient booked at each: the travelling day the unified calendar must show.
 */
export async function arrangeTravellingDay(admin: Api, physicianId: string, perLocation = 1) {
  const { items: locations } = await admin.get<{ items: Location[] }>("/api/v1/locations?limit=500");
  const byId = new Map(locations.map((l) => [l.id, l]));
  const { items: templates } = await admin.get<{ items: { locationId: string }[] }>(
    `/api/v1/physicians/${physicianId}/templates?limit=500`,
  );
  const sites = [...new Set(templates.map((t) => t.locationId))].filter(
    (id) => byId.get(id)?.kind !== "virtual",
  );
  if (sites.length < 2) throw new Error("the demo physician should work at two or more locations");
  const [morningAt, afternoonAt] = [byId.get(sites[0]!)!, byId.get(sites[1]!)!];
  const { items: overrides } = await admin.get<{
    items: { startDate: string; endDate: string; weekdays: number[] }[];
  }>(`/api/v1/physicians/${physicianId}/overrides?limit=500`);
  // a Wednesday past the demo's booked fortnight (so the physician's day is free to arrange) that
  // no rotation covers yet
  let day = nextWeekday(3, addDays(today(), 15));
  while (overrides.some((o) => o.startDate <= day && day <= o.endDate && o.weekdays.includes(weekday(day))))
    day = nextWeekday(3, day);
  for (const [at, startTime, endTime] of [
    [morningAt, "08:00", "11:30"],
    [afternoonAt, "13:00", "16:30"],
  ] as const)
    await admin.post(`/api/v1/physicians/${physicianId}/overrides`, {
      locationId: at.id,
      kind: "temporary",
      startDate: day,
      endDate: day,
      weekdays: [weekday(day)],
      startTime,
      endTime,
      reason: "covering for a colleague",
    });
  const profile = await admin.get<{ primarySpecialty: string }>(`/api/v1/physicians/${physicianId}`);
  const { items: types } = await admin.get<{ items: { id: string; visitKind: string }[] }>(
    `/api/v1/appointment-types?specialty=${profile.primarySpecialty}&active=true`,
  );
  const typeIds = [
    ...types.filter((t) => t.visitKind === "new"),
    ...types.filter((t) => t.visitKind !== "new"),
  ].map((t) => t.id);
  const { items: patients } = await admin.get<{ items: { id: string }[] }>(
    "/api/v1/patients?limit=40&offset=200",
  );
  for (const at of [morningAt, afternoonAt])
    for (let n = 0; n < perLocation; n++)
      await bookFirstOption(
        admin,
        { physicianId, locationId: at.id, date: day, appointmentTypeIds: typeIds },
        patients.map((p) => p.id),
      );
  return { day, morningAt, afternoonAt, typeIds, patientIds: patients.map((p) => p.id) };
}

/**
 * The waitlist offer end to end on the demo server: the patient joins for a physician's day,
 * another patient cancels there, the server's filler holds the slot for the patient and emails
 * them a link; the patient accepts in the app with the keyboard alone and lands on the
 * appointment; the email's link, opened afterwards, says plainly that it was already used.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it, onTestFailed } from "vitest";
import {
  addDays,
  apiAs,
  browserForSuite,
  DEMO_PASSWORD,
  demoEmail,
  keepScreenshot,
  newPage,
  startOfDay,
  today,
} from "./support.js";

interface Focus {
  tag: string;
  label: string;
  visible: boolean;
}

/** What the focused element is called, and whether the focus can be seen on it. */
async function focused(page: Page): Promise<Focus | null> {
  return page.evaluate<Focus | null>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const ringed = el.closest(".mantine-Input-input") ?? el;
    const style = getComputedStyle(ringed);
    const labelled = el.getAttribute("aria-labelledby");
    const label =
      el.getAttribute("aria-label") ??
      (labelled ? document.getElementById(labelled.split(" ")[0])?.textContent : null) ??
      (el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : null) ??
      el.textContent ??
      "";
    return {
      tag: el.tagName.toLowerCase(),
      label: label.replace(/\\s+/g, " ").trim(),
      visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    };
  })()`);
}

/** Tab until a control whose name matches has the focus, every control passed showing its focus. */
async function tabTo(page: Page, name: RegExp, max = 80) {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    if (!f) continue;
    expect(f.visible, `focus is not visible on ${f.tag} "${f.label}"`).toBe(true);
    if (name.test(f.label)) return;
    passed.push(f.label.slice(0, 40));
  }
  throw new Error(`no control named ${name} within ${max} presses of Tab; passed: ${passed.join(" | ")}`);
}

interface Option {
  id: string;
  start: string;
  physicianId: string;
  locationId: string;
  telehealth: boolean;
  local: { date: string; time: string; timeZone: string };
}

interface Mail {
  to: string[];
  subject: string;
  text: string;
}

/** The messages the server has emailed to an address so far. */
function mailTo(dir: string, address: string): Mail[] {
  return readdirSync(dir)
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Mail)
    .filter((m) => m.to.map((t) => t.toLowerCase()).includes(address.toLowerCase()));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The link of the first offer email to `address`, once it has arrived. */
async function offerLink(dir: string, address: string, timeoutMs = 180_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // in whichever language the patient reads (the demo's patients include Spanish readers)
    const mail = mailTo(dir, address).find((m) => m.text.includes("/waitlist/offer/"));
    const token = mail ? /\/waitlist\/offer\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] : undefined;
    if (token) return token;
    if (Date.now() > deadline) throw new Error(`no offer email to ${address}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("a waitlist offer", () => {
  const baseUrl = inject("baseUrl");
  const mailDir = inject("mailDir");
  const chromium = browserForSuite();

  it("a patient joins, a slot frees, the offer reaches them, they accept it with the keyboard alone and see the appointment; the link used again says so", async () => {
    const patient = await apiAs(baseUrl, "patient");
    const admin = await apiAs(baseUrl, "admin");
    const me = patient.user.patientId as string;
    const { email } = await patient.get<{ email: string }>(`/api/v1/patients/${me}`);

    // a cardiology time the patient could take, past the demo's own waitlist windows (six weeks)
    const { items: types } = await patient.get<{ items: { id: string; visitKind: string }[] }>(
      "/api/v1/appointment-types?specialty=cardiology&active=true",
    );
    const typeId = (types.find((t) => t.visitKind === "new") ?? types[0])!.id;
    const from = addDays(today(), 45);
    const q = new URLSearchParams({
      appointmentTypeId: typeId,
      patientId: me,
      from: startOfDay(from),
      to: startOfDay(addDays(from, 14)),
      limit: "20",
    });
    const { options } = await patient.get<{ options: Option[] }>(`/api/v1/availability?${q}`);
    const chosen = options.find((o) => !o.telehealth)!;
    expect(chosen).toBeDefined();
    // …booked by another patient, so that it is taken when the patient joins
    const { items: others } = await admin.get<{ items: { id: string }[] }>(
      "/api/v1/patients?limit=5&offset=300",
    );
    const taken = await admin.post<{ id: string; start: string }>("/api/v1/appointments", {
      optionId: chosen.id,
      patientId: others[0]!.id,
    });

    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "patient-waitlist-offer", onTestFailed);
    try {
      // sign in and join from the waitlist page, filled in for that physician's day
      await page.goto(`${baseUrl}/`);
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      await tabTo(page, /^Email/);
      await page.keyboard.type(demoEmail("patient"));
      await tabTo(page, /^Password/);
      await page.keyboard.type(DEMO_PASSWORD);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Find care", level: 1 }).waitFor();
      const need = new URLSearchParams({
        specialty: "cardiology",
        type: typeId,
        physician: chosen.physicianId,
        locations: chosen.locationId,
        from: chosen.local.date,
        to: chosen.local.date,
      });
      await page.goto(`${baseUrl}/patient/waitlist?${need}`);
      await page.getByRole("heading", { name: "Waitlist", level: 1 }).waitFor();
      await expect
        .poll(() => page.getByRole("combobox", { name: "Type of visit" }).inputValue())
        .not.toBe("");
      await tabTo(page, /^Join the waitlist$/, 120);
      await page.keyboard.press("Enter");
      await page.getByRole("status").filter({ hasText: "You are on the waitlist" }).waitFor();

      // another patient cancels: the server's filler holds the slot for this patient and emails them
      await admin.post(`/api/v1/appointments/${taken.id}/cancel`, { reason: "cannot make it" });
      const link = await offerLink(mailDir, email);

      // the offer is on the page (the live stream refreshes it); accept it with the keyboard
      const time = chosen.local.time;
      const day = new Intl.DateTimeFormat("en-GB", {
        timeZone: chosen.local.timeZone,
        weekday: "short",
        day: "numeric",
        month: "short",
        year: "numeric",
      }).format(new Date(chosen.start));
      const acceptName = new RegExp(`^Accept ${escapeRe(day)}, ${escapeRe(time)}`);
      await page.getByRole("button", { name: acceptName }).waitFor({ timeout: 60_000 });
      await page.getByRole("heading", { name: "Waitlist", level: 1 }).focus();
      await tabTo(page, acceptName, 40);
      await page.keyboard.press("Enter");
      await page.getByRole("status").filter({ hasText: "Booked" }).waitFor();
      await tabTo(page, /^Open the appointment$/, 40);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "You are booked", level: 1 }).waitFor();
      await page.getByText(time, { exact: false }).first().waitFor();

      // the email's link, used after the offer was answered: a clear answer, and nothing changes
      await page.goto(`${baseUrl}/waitlist/offer/${link}`);
      await page.getByRole("heading", { name: "You are booked", level: 1 }).waitFor();
      await page.getByRole("status").filter({ hasText: "This link was already used" }).waitFor();
      expect(await page.getByRole("button", { name: /Accept/ }).count()).toBe(0);
    } finally {
      await shot();
    }
    const { items } = await patient.get<{ items: { id: string; status: string; start: string }[] }>(
      `/api/v1/appointments?patientId=${me}&status=booked&from=${encodeURIComponent(startOfDay(from))}&limit=50`,
    );
    expect(items.filter((a) => a.start === taken.start)).toHaveLength(1);
  });

  it("a link nobody was sent says it is not valid", async () => {
    const { page } = await newPage(chromium.browser);
    await page.goto(`${baseUrl}/waitlist/offer/${"x".repeat(43)}`);
    await page.getByRole("heading", { name: "This link is not valid", level: 1 }).waitFor();
  });
});

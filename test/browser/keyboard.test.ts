/**
 * A patient who cannot use a mouse: sign in, find care, book and cancel with the keyboard alone
 * (Tab, Shift+Tab, Enter, Space, arrow keys and typing; no clicks), and every control reached
 * shows where the focus is.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it, onTestFailed } from "vitest";
import { browserForSuite, DEMO_PASSWORD, demoEmail, keepScreenshot, newPage } from "./support.js";

interface Focus {
  tag: string;
  label: string;
  visible: boolean;
}

/** What the focused element is called, and whether the focus can be seen on it. */
async function focused(page: Page): Promise<Focus | null> {
  // runs in the page (a string: this project's TypeScript has no DOM types)
  return page.evaluate<Focus | null>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    // a field's ring may be drawn on its box (a multi-select's typing field sits inside one)
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
      // a ring the eye can find: an outline of 2 px or more (the app's :focus-visible style)
      visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    };
  })()`);
}

/**
 * Presses Tab (or Shift+Tab) until the focus lands on a control whose name matches, checking that
 * every control passed on the way shows its focus.
 */
async function tabTo(page: Page, name: RegExp, { back = false, max = 60 } = {}) {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const f = await focused(page);
    if (!f) continue;
    expect(f.visible, `focus is not visible on ${f.tag} "${f.label}"`).toBe(true);
    if (name.test(f.label)) return;
    passed.push(f.label.slice(0, 40));
  }
  throw new Error(`no control named ${name} within ${max} presses of Tab; passed: ${passed.join(" | ")}`);
}

describe("a patient using the keyboard alone", () => {
  const baseUrl = inject("baseUrl");
  const chromium = browserForSuite();

  it("a patient signs in, finds a cardiology appointment, books it and cancels it without a mouse, always seeing where the focus is", async () => {
    const { page } = await newPage(chromium.browser);
    const shot = keepScreenshot(page, "patient-keyboard-only", onTestFailed);
    await page.goto(`${baseUrl}/`);
    await page.getByRole("button", { name: "Sign in" }).waitFor();

    await tabTo(page, /^Email/);
    await page.keyboard.type(demoEmail("patient"));
    await tabTo(page, /^Password/);
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Find care", level: 1 }).waitFor();

    // the new screen's heading takes the focus, so Tab goes on into the screen, not the menu
    await expect.poll(async () => (await focused(page))?.label).toBe("Find care");

    // the specialty picker opens with Enter, then the arrows and Enter choose
    await tabTo(page, /^Specialty/);
    await page.keyboard.press("Enter");
    await page.getByRole("listbox").waitFor();
    await page.keyboard.type("Cardiology");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.getByRole("combobox", { name: "Specialty" }).inputValue())
      .toBe("Cardiology");
    // …and with Space, as a closed list should
    await page.keyboard.press("Escape");
    await page.keyboard.press("Space");
    await page.getByRole("listbox").waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("listbox").waitFor({ state: "hidden" });

    await tabTo(page, /^Search$/);
    await page.keyboard.press("Enter");
    // whatever the search answers (options, none, or an error), say which
    const answer = page.locator("#results-heading, [role=alert]").first();
    await answer.waitFor({ timeout: 120_000 });
    expect(await answer.textContent()).toMatch(/options across the network/);

    // the comparison's first "Book earliest here", or the first time offered
    await tabTo(page, /^Book( earliest here)?: /, { max: 120 });
    const chosen = (await focused(page))!.label;
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Confirm your appointment", level: 1 }).waitFor();
    await tabTo(page, /^Confirm booking$/);
    await page.keyboard.press("Space");
    await page.getByRole("heading", { name: "You are booked", level: 1 }).waitFor();
    expect(chosen).toMatch(/^Book( earliest here)?: ./);

    // cancel it: the dialog takes the focus to its reason, and Enter on its button cancels
    await tabTo(page, /^Cancel$/);
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Cancel this appointment?" });
    await dialog.waitFor();
    expect((await focused(page))?.label).toMatch(/^Reason/);
    await page.keyboard.type("I found a time closer to home");
    await tabTo(page, /^Cancel appointment$/);
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await page.getByText("Cancelled: I found a time closer to home").waitFor();
    // the Cancel button is gone with the cancellation: the focus goes to the heading, not lost on the page
    await expect.poll(async () => (await focused(page))?.tag).toBe("h1");
    await shot();
  });
});

/** The web app's theme keeps every text colour it hands out readable (WCAG 2.1 AA, 4.5:1). */
import { DEFAULT_THEME } from "@mantine/core";
import { describe, expect, it } from "vitest";
import { contrast, theme } from "../web/src/theme.js";

describe("the web app's colours", () => {
  const palettes = Object.entries(theme.colors ?? {});

  it("every palette's filled shade carries white text, and sits on white, at 4.5:1 or more", () => {
    expect(palettes.length).toBeGreaterThanOrEqual(12);
    for (const [name, shades] of palettes) {
      expect(contrast(shades![8]!, "#ffffff"), name).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("every palette's light text reads at 4.5:1 on its light background, hovered or not", () => {
    for (const [name, shades] of palettes) {
      expect(contrast(shades![9]!, shades![1]!), name).toBeGreaterThanOrEqual(4.5);
      expect(contrast(shades![9]!, shades![2]!), name).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("a colour keeps its lighter shades, so backgrounds look as Mantine drew them", () => {
    for (const [name, shades] of palettes)
      expect(shades!.slice(0, 8), name).toEqual(DEFAULT_THEME.colors[name]!.slice(0, 8));
  });

  it("Mantine's own blue, green and yellow would not pass: the darkening is what makes them readable", () => {
    expect(contrast(DEFAULT_THEME.colors.blue[6], "#ffffff")).toBeLessThan(4.5);
    expect(contrast(DEFAULT_THEME.colors.green[9], DEFAULT_THEME.colors.green[1])).toBeLessThan(4.5);
    expect(contrast(DEFAULT_THEME.colors.yellow[8], "#ffffff")).toBeLessThan(4.5);
  });
});

/**
 * The app's Mantine theme, made for WCAG 2.1 AA: every text colour the theme hands out reaches
 * 4.5:1 on the background it is drawn on, so screens need no per-component colour fixes.
 *
 * Mantine draws filled buttons and badges in shade 8 (`primaryShade`) with white text, light ones
 * in shade 9 on shade 1 (shade 2 when hovered), outlined ones in shade 8 on the page; its default palettes miss 4.5:1 in
 * several of those (green, teal, yellow, orange, cyan, lime, red, blue at shade 6). `readable()`
 * darkens shades 8 and 9 of each palette just enough, so a colour keeps its hue and every variant
 * passes, whatever colour a screen picks.
 */
import {
  type CSSVariablesResolver,
  createTheme,
  DEFAULT_THEME,
  type MantineColorsTuple,
  Modal,
  Pagination,
  TableScrollContainer,
} from "@mantine/core";

/** The contrast the theme aims at: AA's 4.5:1 with a margin for tinted rows and hovers. */
const TARGET = 4.7;

const channels = (hex: string): [number, number, number] => {
  const h = hex.replace("#", "");
  return [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
};
const toHex = (rgb: readonly number[]): string =>
  `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;

/** WCAG relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The colour mixed with black in small steps until it reaches the target contrast on `background`. */
function darkenUntil(color: string, background: string): string {
  let rgb = channels(color);
  while (contrast(toHex(rgb), background) < TARGET) rgb = rgb.map((c) => c * 0.96) as typeof rgb;
  return toHex(rgb);
}

/** A palette whose shade 8 carries white text and sits on white, and whose shade 9 reads on shades 1 and 2. */
export function readable(palette: MantineColorsTuple): MantineColorsTuple {
  const shade8 = darkenUntil(palette[8], "#ffffff");
  // never lighter than shade 8: light variants' text must stay darker than filled backgrounds
  const darker = contrast(palette[9], "#ffffff") < contrast(shade8, "#ffffff") ? shade8 : palette[9];
  // light variants sit on shade 1, and on shade 2 under the pointer
  const shade9 = darkenUntil(darker, palette[2]);
  return [...palette.slice(0, 8), shade8, shade9] as unknown as MantineColorsTuple;
}

const colors = Object.fromEntries(
  Object.entries(DEFAULT_THEME.colors)
    .filter(([name]) => name !== "dark")
    .map(([name, palette]) => [name, readable(palette)]),
);

export const theme = createTheme({
  primaryColor: "blue",
  primaryShade: 8,
  colors,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  defaultRadius: "md",
  focusRing: "auto",
  // no sliding and fading for people who asked their system for less motion
  respectReducedMotion: true,
  components: {
    // icon-only controls Mantine draws for us get names a screen reader can say
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close dialog" } } }),
    // a table wider than the screen scrolls in a box the keyboard can reach and scroll too; the box
    // is positioned so that visually hidden labels inside it (absolutely placed) are clipped with
    // the table instead of widening the page on a phone
    TableScrollContainer: TableScrollContainer.extend({
      defaultProps: { type: "native", tabIndex: 0 },
      styles: { scrollContainer: { position: "relative" } },
    }),
    Pagination: Pagination.extend({
      defaultProps: {
        getItemProps: (page: number) => ({ "aria-label": `Page ${page}` }),
        getControlProps: (control: "first" | "previous" | "last" | "next") => ({
          "aria-label": `${control.charAt(0).toUpperCase()}${control.slice(1)} page`,
        }),
      },
    }),
  },
});

/** Text colours Mantine takes from mid-grey and mid-red shades, moved to ones that read at 4.5:1. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
    "--mantine-color-placeholder": "var(--mantine-color-gray-6)",
    "--mantine-color-anchor": "var(--mantine-color-blue-9)",
  },
  dark: {},
});

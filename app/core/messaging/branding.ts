// A workspace's email branding, set once (Settings → Email branding) and used by every block-based email:
// logo, colours, font and the footer's postal address. Stored in Workspace.settings.branding (JSON).
// Isomorphic: the branding page validates and previews with it.
import { z } from "zod";

const Colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour is #RRGGBB, such as #1a73e8");

/** Fonts that are on (nearly) every device, each with its fallbacks: email clients do not load web fonts reliably. */
export const FONT_STACKS = {
  system: "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
  helvetica: "Helvetica, Arial, sans-serif",
  georgia: "Georgia, 'Times New Roman', serif",
  verdana: "Verdana, Geneva, sans-serif",
  trebuchet: "'Trebuchet MS', Helvetica, sans-serif",
  courier: "'Courier New', Courier, monospace",
} as const;
export type FontFamily = keyof typeof FONT_STACKS;
export const FONT_LABELS: Record<FontFamily, string> = {
  system: "System (San Francisco, Segoe UI, Roboto)",
  helvetica: "Helvetica / Arial",
  georgia: "Georgia (serif)",
  verdana: "Verdana",
  trebuchet: "Trebuchet MS",
  courier: "Courier (monospace)",
};

export const Branding = z.object({
  /** An https image; empty: the header shows the store's name. */
  logoUrl: z.union([z.literal(""), z.url({ protocol: /^https?$/, error: "the logo is an http(s) address of an image" })]).default(""),
  logoWidth: z.number().int().min(40).max(400).default(160),
  primaryColor: Colour.default("#111827"),
  backgroundColor: Colour.default("#f4f4f5"),
  textColor: Colour.default("#1f2937"),
  fontFamily: z.enum(Object.keys(FONT_STACKS) as [FontFamily, ...FontFamily[]]).default("system"),
  /** The postal address for the footer (anti-spam laws ask for one); empty: the store's own, as synced (Store.address). */
  footerAddress: z.string().max(500).default(""),
});
export type Branding = z.infer<typeof Branding>;

export const DEFAULT_BRANDING: Branding = Branding.parse({});

/** The branding stored in workspace settings, with defaults for anything missing or invalid. */
export function brandingFrom(settings: unknown): Branding {
  const stored = typeof settings === "object" && settings !== null && !Array.isArray(settings) ? (settings as Record<string, unknown>).branding : undefined;
  const parsed = Branding.safeParse(stored ?? {});
  if (parsed.success) return parsed.data;
  // Keep each valid field of a partly broken value rather than dropping all of it.
  const out: Record<string, unknown> = {};
  if (typeof stored === "object" && stored !== null) {
    for (const [key, value] of Object.entries(stored)) {
      const field = Branding.shape[key as keyof Branding];
      if (field && field.safeParse(value).success) out[key] = value;
    }
  }
  return Branding.parse(out);
}

/** Black or white text, whichever reads better on a background colour (for the button label). */
export function contrastText(hex: string): string {
  const value = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [(value >> 16) & 255, (value >> 8) & 255, value & 255].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.4 ? "#111111" : "#ffffff";
}

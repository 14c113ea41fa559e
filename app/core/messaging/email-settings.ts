// The email delivery settings form and the names the page shows (isomorphic: the page's component uses them too);
// reading, checking and saving are in email-settings.server.ts.
import { z } from "zod";

export const SendGridRegion = z.enum(["global", "eu"]);
export type SendGridRegion = z.infer<typeof SendGridRegion>;

export const REGION_LABELS: Record<SendGridRegion, string> = { global: "Global (api.sendgrid.com)", eu: "EU data residency (api.eu.sendgrid.com)" };

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} is at most ${max} characters.`)
    .transform((value) => (value === "" ? null : value));

export const EmailSettingsForm = z.object({
  fromEmail: z
    .string()
    .trim()
    .max(254, "An email address is at most 254 characters.")
    .refine((value) => value === "" || z.email().safeParse(value).success, "Enter an email address, e.g. hello@yourshop.com.")
    .transform((value) => (value === "" ? null : value.toLowerCase())),
  fromName: optionalText(100, "The from name"),
  /** Empty: keep the stored key (it is never sent back to the page). */
  apiKey: z
    .string()
    .trim()
    .refine((value) => value === "" || /^SG\.\S{8,200}$/.test(value), 'A SendGrid API key starts with "SG." and has no spaces: copy it from SendGrid → Settings → API Keys.'),
  region: SendGridRegion,
});
export type EmailSettingsForm = z.infer<typeof EmailSettingsForm>;
export type EmailSettingsField = keyof EmailSettingsForm | "form";
export interface EmailSettingsProblem {
  field: EmailSettingsField;
  message: string;
}


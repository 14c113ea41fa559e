// Liquid (liquidjs) personalisation. HTML output is escaped by default; subject and text are not HTML.
// Unknown variables render empty at send time; templates are checked when a flow is published (checkTemplate).
import { Liquid } from "liquidjs";

const html = new Liquid({ outputEscape: "escape", strictFilters: true, ownPropertyOnly: true });
const plain = new Liquid({ strictFilters: true, ownPropertyOnly: true });

export interface RenderedEmail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export interface EmailTemplate {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export async function renderEmail(template: EmailTemplate, context: Record<string, unknown>): Promise<RenderedEmail> {
  const preheader = (await plain.parseAndRender(template.preheader, context)).trim();
  const withPreheader = { ...context, message: { preheader } };
  return {
    subject: (await plain.parseAndRender(template.subject, withPreheader)).replace(/\s+/g, " ").trim(),
    preheader,
    html: await html.parseAndRender(template.html, withPreheader),
    text: await plain.parseAndRender(template.text, withPreheader),
  };
}

/** The Liquid syntax errors of a template, empty when it parses. */
export function checkTemplate(source: string): string[] {
  try {
    html.parse(source);
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

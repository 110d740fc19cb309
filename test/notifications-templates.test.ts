/** The message templates' rules, which the communications team relies on when editing wording. */
import { describe, expect, it } from "vitest";
import { createNotificationService } from "../src/services/notifications/service.js";
import { renderTemplate, TemplateError, TemplateLibrary } from "../src/services/notifications/templates.js";

const view = {
  patient: { name: 'Ana <Ruiz> & "Co"', phone: null },
  items: ["cafe", "pharmacy"],
  none: [],
  telehealth: null,
};

describe("message templates", () => {
  it("a name the view does not have fails the render, naming the template and the name", () => {
    const render = () => renderTemplate("Dear {{patient.nmae}}", view, { html: false, where: "en/x.txt" });
    expect(render).toThrow(TemplateError);
    expect(render).toThrow(/en\/x\.txt: the view has no "patient\.nmae"/);
    expect(() => renderTemplate("{{#nothing}}x{{/nothing}}", view, { html: false })).toThrow(TemplateError);
    expect(() => renderTemplate("{{constructor}}", view, { html: false })).toThrow(TemplateError);
  });

  it("values are escaped in HTML templates and printed as they are in text", () => {
    expect(renderTemplate("<p>{{patient.name}}</p>", view, { html: true })).toBe(
      "<p>Ana &lt;Ruiz&gt; &amp; &quot;Co&quot;</p>",
    );
    expect(renderTemplate("{{patient.name}}", view, { html: false })).toBe('Ana <Ruiz> & "Co"');
    expect(() => renderTemplate("<p>{{{patient.name}}}</p>", view, { html: true })).toThrow(TemplateError);
    expect(() => renderTemplate("<p>{{&patient.name}}</p>", view, { html: true })).toThrow(TemplateError);
    expect(() => renderTemplate("{{patient}}", view, { html: false })).toThrow(/not a printable value/);
  });

  it("sections repeat per item, inverted sections show for empty values, and standalone tag lines vanish", () => {
    const source =
      "Near:\n{{#items}}\n- {{.}}\n{{/items}}\n{{^none}}\nnothing else\n{{/none}}\n{{! a note }}\nEnd";
    expect(renderTemplate(source, view, { html: false })).toBe(
      "Near:\n- cafe\n- pharmacy\nnothing else\nEnd",
    );
    expect(renderTemplate("{{patient.phone}}|{{telehealth.joinUrl}}", view, { html: false })).toBe("|");
  });

  it("partials are included by name, and one that includes itself is stopped", () => {
    const partials = (name: string) => (name === "loop" ? "again {{> loop}}" : "Hello {{patient.name}}");
    expect(renderTemplate("{{> greeting}}!", view, { html: true, partials })).toBe(
      "Hello Ana &lt;Ruiz&gt; &amp; &quot;Co&quot;!",
    );
    expect(() => renderTemplate("{{> loop}}", view, { html: false, partials })).toThrow(/nested too deeply/);
    expect(() => renderTemplate("{{#items}}open", view, { html: false })).toThrow(TemplateError);
  });
});

describe("the notifications service", () => {
  it("previews a template with the sample appointment three days after the service's own clock", async () => {
    const service = createNotificationService({
      db: {} as never, // a sample preview reads nothing
      clock: { now: () => new Date("2030-01-01T00:00:00Z") },
      policies: {} as never,
      settings: {
        library: new TemplateLibrary(),
        reminderHours: [24],
        publicUrl: "https://rounds.invalid",
      },
    });
    const preview = await service.preview({} as never, "confirmation", { language: "en" });
    expect(preview.text).toContain("Thursday, January 3, 2030 at 19:00 EST");
    expect(preview.calendar).toContain("DTSTAMP:20300101T000000Z");
  });

  it("an offer of another time says when the held time is, until when, and links to its page in the app", async () => {
    const service = createNotificationService({
      db: {} as never,
      clock: { now: () => new Date("2030-01-01T00:00:00Z") },
      policies: {} as never,
      settings: {
        library: new TemplateLibrary(),
        publicUrl: "https://rounds.invalid/",
        reminderHours: [24],
      },
    });
    for (const language of ["en", "es"]) {
      const preview = await service.preview({} as never, "reschedule_offer", { language });
      // the sample appointment is on 3 January; the held time two days later, held for 48 hours
      expect(preview.subject).toMatch(
        language === "en" ? /Saturday, January 5, 2030 at 19:00/ : /sábado, 5 de enero de 2030/,
      );
      expect(preview.text).toContain(
        "https://rounds.invalid/patient/reschedule-offers/00000000-0000-4000-8000-000000000002",
      );
      expect(preview.html).toContain('href="https://rounds.invalid/patient/reschedule-offers/');
      expect(preview.sms).toContain("reschedule-offers/");
    }
  });
});

/**
 * Message templates are plain files, one per event, language and form, so that the hospital's
 * communications team can edit wording without touching code:
 *   templates/<language>/<event>.txt       email text and in-app body; first line "Subject: …"
 *   templates/<language>/<event>.html      email HTML body
 *   templates/<language>/<event>.sms.txt   SMS text
 *   templates/<language>/strings.json      words the code needs (compass points, feature names)
 *   templates/<language>/partials/<name>.txt|.html   shared blocks, included with {{> name}}
 * The syntax is logic-less Mustache, rendered by the `mustache` package: {{name}}, {{a.b}},
 * sections {{#list}}…{{/list}} (repeats per item, {{.}} is the item), inverted {{^x}}…{{/x}},
 * partials {{> name}}, comments {{! }}. Unescaped output ({{{x}}}, {{&x}}) and changing the
 * delimiters are refused, so an HTML template cannot print a value unescaped.
 * Values are HTML-escaped in .html templates; a name the view does not have is an error, so a typo
 * in a template fails its preview and the tests rather than sending a message with a hole in it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Mustache from "mustache";

export const messageEvents = [
  "confirmation",
  "reminder",
  "cancellation",
  "reschedule",
  "waitlist_offer",
  "reschedule_offer",
  "survey",
] as const;
export type MessageEvent = (typeof messageEvents)[number];
/** Messages to staff (staff.ts): counts and a link to the screen, never a patient's details. */
export const staffMessageEvents = ["compliance_alert", "security_incident"] as const;
export type StaffMessageEvent = (typeof staffMessageEvents)[number];

export const TEMPLATES_DIR = fileURLToPath(new URL("./templates/", import.meta.url));

export class TemplateError extends Error {
  override name = "TemplateError";
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

const NAME = /^(\.|[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*)$/;
// the tags of the subset: text, value, section, inverted, close, partial, comment
const ALLOWED_TAGS = new Set(["text", "name", "#", "^", "/", ">", "!"]);
// [type, name or text, start, end, children of a section (a partial's indentation), …]
type Token = [string, string, number, number, unknown?, ...unknown[]];

/** Refuses what the subset leaves out, naming the tag, before anything is rendered. */
function checkTokens(tokens: Token[], where: string): void {
  for (const [type, name, , , children] of tokens) {
    if (type === "text" || type === "!") continue;
    if (!ALLOWED_TAGS.has(type) || !NAME.test(name))
      throw new TemplateError(
        `${where}: "{{${type === "name" ? "" : type}${name}}}" is not a valid placeholder`,
      );
    if ((type === "#" || type === "^") && Array.isArray(children)) checkTokens(children as Token[], where);
  }
}

/**
 * A Mustache context that fails on a name the view does not have instead of printing nothing. A
 * dotted name is looked up from the innermost context outwards by its first part, then followed
 * through own properties only (no prototype walk); a null or missing link prints nothing.
 */
class StrictContext extends Mustache.Context {
  constructor(
    view: unknown,
    parent: StrictContext | undefined,
    private readonly where: () => string,
  ) {
    super(view, parent);
  }

  override push(view: unknown): StrictContext {
    return new StrictContext(view, this, this.where);
  }

  override lookup(name: string): unknown {
    if (name === ".") return this.view;
    const [head, ...rest] = name.split(".");
    for (let c: Mustache.Context | undefined = this; c; c = c.parent) {
      const ctx: unknown = c.view;
      if (ctx === null || typeof ctx !== "object" || !Object.hasOwn(ctx, head!)) continue;
      let value: unknown = (ctx as Record<string, unknown>)[head!];
      for (const part of rest) {
        if (value === null || value === undefined) return undefined;
        if (typeof value !== "object" || !Object.hasOwn(value, part))
          throw new TemplateError(`${this.where()}: the view has no "${name}"`);
        value = (value as Record<string, unknown>)[part];
      }
      return value;
    }
    throw new TemplateError(`${this.where()}: the view has no "${name}"`);
  }
}

export type PartialSource = (name: string) => string;

const MAX_PARTIAL_DEPTH = 6;

/**
 * One render at a time (rendering is synchronous): the writer keeps the chain of partials it is
 * in, for error messages and to stop a partial that includes itself. Parsed templates are cached
 * by the writer, so a library renders each file's text from its tokens after the first use.
 */
class StrictWriter extends Mustache.Writer {
  private readonly path: string[] = [];
  /** Parsed templates (cached by mustache) already held against the subset. */
  private readonly checked = new WeakSet<Token[]>();

  where = () => this.path.join(" > ");

  override parse(template: string, tags?: Mustache.OpeningAndClosingTags): Token[] {
    const tokens = (() => {
      try {
        return super.parse(template, tags) as Token[];
      } catch (err) {
        if (err instanceof TemplateError) throw err;
        throw new TemplateError(`${this.where()}: ${(err as Error).message}`);
      }
    })();
    if (!this.checked.has(tokens)) {
      checkTokens(tokens, this.where());
      this.checked.add(tokens);
    }
    return tokens;
  }

  // mustache passes its own partial lookup on; it is typed loosely, as in mustache itself
  override renderPartial(
    token: string[],
    context: Mustache.Context,
    partials?: Mustache.PartialsOrLookupFn,
    config?: Mustache.RenderOptions,
  ): string {
    const name = token[1]!;
    if (this.path.length >= MAX_PARTIAL_DEPTH)
      throw new TemplateError(`${this.where()}: partials nested too deeply at {{> ${name}}}`);
    this.path.push(name);
    try {
      return super.renderPartial(token, context, partials, config) ?? "";
    } finally {
      this.path.pop();
    }
  }

  override escapedValue(token: string[], context: Mustache.Context, config?: Mustache.RenderOptions): string {
    const value: unknown = context.lookup(token[1]!);
    if (value !== null && value !== undefined && typeof value === "object")
      throw new TemplateError(`${this.where()}: "${token[1]}" is not a printable value`);
    return super.escapedValue(token, context, config) ?? "";
  }

  renderAt(where: string, source: string, view: object, html: boolean, partials: PartialSource): string {
    this.path.length = 0;
    this.path.push(where);
    return this.render(source, new StrictContext(view, undefined, this.where), partials, {
      escape: html ? (v: unknown) => escapeHtml(String(v)) : (v: unknown) => String(v),
    });
  }
}

const noPartials: PartialSource = (name) => {
  throw new TemplateError(`no partial named ${name}`);
};

/** Renders one template; the library renders its files through a writer of its own. */
export function renderTemplate(
  source: string,
  view: object,
  opts: { html: boolean; where?: string; partials?: PartialSource },
): string {
  return new StrictWriter().renderAt(
    opts.where ?? "template",
    source,
    view,
    opts.html,
    opts.partials ?? noPartials,
  );
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  sms: string;
}

export interface LanguageStrings {
  /** Eight compass points from north, clockwise. */
  compass: string[];
  /** Feature, amenity and location-kind codes in words; unknown codes are shown de-underscored. */
  words: Record<string, string>;
}

/** Templates and strings read from disk once per process (they ship with the code). */
export class TemplateLibrary {
  private readonly cache = new Map<string, string>();
  private readonly writer = new StrictWriter();
  readonly languages: string[];

  constructor(readonly dir = TEMPLATES_DIR) {
    this.languages = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  }

  /** The best language we have templates for: exact tag, then its primary language, then English. */
  resolveLanguage(wanted: string | null | undefined): string {
    const tag = (wanted ?? "").toLowerCase();
    if (this.languages.includes(tag)) return tag;
    const primary = tag.split("-")[0]!;
    if (this.languages.includes(primary)) return primary;
    return this.languages.includes("en") ? "en" : this.languages[0]!;
  }

  private file(language: string, name: string): string {
    const key = `${language}/${name}`;
    let text = this.cache.get(key);
    if (text === undefined) {
      text = readFileSync(`${this.dir}/${key}`, "utf8");
      this.cache.set(key, text);
    }
    return text;
  }

  strings(language: string): LanguageStrings {
    return JSON.parse(this.file(language, "strings.json")) as LanguageStrings;
  }

  private partials(language: string, ext: ".txt" | ".html"): PartialSource {
    return (name) => {
      if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new TemplateError(`"${name}" is not a partial name`);
      return this.file(language, `partials/${name}${ext}`);
    };
  }

  render(event: MessageEvent | StaffMessageEvent, language: string, view: object): RenderedMessage {
    const at = (form: string) => `templates/${language}/${event}${form}`;
    const text = this.partials(language, ".txt");
    const rendered = this.writer.renderAt(at(".txt"), this.file(language, `${event}.txt`), view, false, text);
    const subjectLine = /^Subject:[ \t]*(.*)\r?\n\r?\n?/.exec(rendered);
    if (!subjectLine) throw new TemplateError(`${at(".txt")}: the first line must be "Subject: …"`);
    return {
      subject: subjectLine[1]!.trim(),
      text: rendered.slice(subjectLine[0].length).trim(),
      html: this.writer.renderAt(
        at(".html"),
        this.file(language, `${event}.html`),
        view,
        true,
        this.partials(language, ".html"),
      ),
      sms: this.writer
        .renderAt(at(".sms.txt"), this.file(language, `${event}.sms.txt`), view, false, text)
        .replace(/\s+/g, " ")
        .trim(),
    };
  }
}

/**
 * Message templates are plain files, one per event, language and form, so that the hospital's
 * communications team can edit wording without touching code:
 *   templates/<language>/<event>.txt       email text and in-app body; first line "Subject: …"
 *   templates/<language>/<event>.html      email HTML body
 *   templates/<language>/<event>.sms.txt   SMS text
 *   templates/<language>/strings.json      words the code needs (compass points, feature names)
 *   templates/<language>/partials/<name>.txt|.html   shared blocks, included with {{> name}}
 * The syntax is a small, logic-less subset of Mustache: {{name}}, {{a.b}}, sections
 * {{#list}}…{{/list}} (repeats per item, {{.}} is the item), inverted {{^x}}…{{/x}}, partials
 * {{> name}}, comments {{! }}.
 * Values are HTML-escaped in .html templates; a name the view does not have is an error, so a typo
 * in a template fails its preview and the tests rather than sending a message with a hole in it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const messageEvents = ["confirmation", "reminder", "cancellation", "reschedule"] as const;
export type MessageEvent = (typeof messageEvents)[number];

export const TEMPLATES_DIR = fileURLToPath(new URL("./templates/", import.meta.url));

export class TemplateError extends Error {
  override name = "TemplateError";
}

type Node =
  | { kind: "text"; text: string }
  | { kind: "value"; name: string }
  | { kind: "partial"; name: string }
  | { kind: "section"; name: string; inverted: boolean; children: Node[] };

const TAG = /\{\{\s*([#^/!>]?)\s*([^}]*?)\s*\}\}/g;
// a line holding only a section, close, partial or comment tag disappears with its line break
const STANDALONE = /^[ \t]*(\{\{\s*[#^/!>][^}]*\}\})[ \t]*\r?\n/gm;

export function parseTemplate(source: string, where = "template"): Node[] {
  const text = source.replace(STANDALONE, "$1");
  const root: Node[] = [];
  const stack: Array<{ name: string; children: Node[] }> = [{ name: "", children: root }];
  let last = 0;
  for (const m of text.matchAll(TAG)) {
    const top = stack[stack.length - 1]!;
    if (m.index > last) top.children.push({ kind: "text", text: text.slice(last, m.index) });
    last = m.index + m[0].length;
    const [, sigil, name = ""] = m;
    if (sigil === "!") continue;
    if (!/^(\.|[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*)$/.test(name))
      throw new TemplateError(`${where}: "${m[0]}" is not a valid placeholder`);
    if (sigil === "#" || sigil === "^") {
      const node: Node = { kind: "section", name, inverted: sigil === "^", children: [] };
      top.children.push(node);
      stack.push({ name, children: node.children });
    } else if (sigil === ">") {
      top.children.push({ kind: "partial", name });
    } else if (sigil === "/") {
      if (stack.length === 1 || top.name !== name)
        throw new TemplateError(`${where}: {{/${name}}} closes nothing open (open: ${top.name || "none"})`);
      stack.pop();
    } else {
      top.children.push({ kind: "value", name });
    }
  }
  if (stack.length > 1)
    throw new TemplateError(`${where}: {{#${stack[stack.length - 1]!.name}}} is never closed`);
  if (last < text.length) root.push({ kind: "text", text: text.slice(last) });
  return root;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Looks a dotted name up through the context stack, own properties only (no prototype walk). */
function lookup(stack: unknown[], name: string, where: string): unknown {
  if (name === ".") return stack[stack.length - 1];
  const [head, ...rest] = name.split(".");
  for (let i = stack.length - 1; i >= 0; i--) {
    const ctx = stack[i];
    if (ctx !== null && typeof ctx === "object" && Object.hasOwn(ctx, head!)) {
      let value: unknown = (ctx as Record<string, unknown>)[head!];
      for (const part of rest) {
        if (value === null || value === undefined) return undefined;
        if (typeof value !== "object" || !Object.hasOwn(value, part))
          throw new TemplateError(`${where}: the view has no "${name}"`);
        value = (value as Record<string, unknown>)[part];
      }
      return value;
    }
  }
  throw new TemplateError(`${where}: the view has no "${name}"`);
}

export type PartialSource = (name: string) => string;

interface RenderState {
  html: boolean;
  where: string;
  partials: PartialSource;
  depth: number;
}

function renderNodes(nodes: Node[], stack: unknown[], st: RenderState): string {
  const { html, where } = st;
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") out += node.text;
    else if (node.kind === "partial") {
      if (st.depth > 5) throw new TemplateError(`${where}: partials nested too deeply at {{> ${node.name}}}`);
      const inner = `${where} > ${node.name}`;
      out += renderNodes(parseTemplate(st.partials(node.name), inner), stack, {
        ...st,
        where: inner,
        depth: st.depth + 1,
      });
    } else if (node.kind === "value") {
      const v = lookup(stack, node.name, where);
      if (v !== null && v !== undefined && typeof v === "object")
        throw new TemplateError(`${where}: "${node.name}" is not a printable value`);
      const s = v === null || v === undefined ? "" : String(v);
      out += html ? escapeHtml(s) : s;
    } else {
      const v = lookup(stack, node.name, where);
      const empty =
        v === null || v === undefined || v === false || v === "" || (Array.isArray(v) && !v.length);
      if (node.inverted) {
        if (empty) out += renderNodes(node.children, stack, st);
      } else if (!empty) {
        const items = Array.isArray(v) ? v : [v];
        for (const item of items) out += renderNodes(node.children, [...stack, item], st);
      }
    }
  }
  return out;
}

const noPartials: PartialSource = (name) => {
  throw new TemplateError(`no partial named ${name}`);
};

export function renderTemplate(
  source: string,
  view: object,
  opts: { html: boolean; where?: string; partials?: PartialSource },
): string {
  const where = opts.where ?? "template";
  return renderNodes(parseTemplate(source, where), [view], {
    html: opts.html,
    where,
    partials: opts.partials ?? noPartials,
    depth: 0,
  });
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

  render(event: MessageEvent, language: string, view: object): RenderedMessage {
    const where = (form: string) => `templates/${language}/${event}${form}`;
    const text = this.partials(language, ".txt");
    const rendered = renderTemplate(this.file(language, `${event}.txt`), view, {
      html: false,
      where: where(".txt"),
      partials: text,
    });
    const subjectLine = /^Subject:[ \t]*(.*)\r?\n\r?\n?/.exec(rendered);
    if (!subjectLine) throw new TemplateError(`${where(".txt")}: the first line must be "Subject: …"`);
    return {
      subject: subjectLine[1]!.trim(),
      text: rendered.slice(subjectLine[0].length).trim(),
      html: renderTemplate(this.file(language, `${event}.html`), view, {
        html: true,
        where: where(".html"),
        partials: this.partials(language, ".html"),
      }),
      sms: renderTemplate(this.file(language, `${event}.sms.txt`), view, {
        html: false,
        where: where(".sms.txt"),
        partials: text,
      })
        .replace(/\s+/g, " ")
        .trim(),
    };
  }
}

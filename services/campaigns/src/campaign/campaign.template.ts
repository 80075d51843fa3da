// Message templates: `{{firstName}}`-style placeholders over the few customer and business facts we hold.

/** Placeholders a template may use, and what fills them. */
export const PLACEHOLDERS = ['firstName', 'lastName', 'businessName'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Readonly<Record<Placeholder, string>>;

const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;
const known: ReadonlySet<string> = new Set(PLACEHOLDERS);

/** Problems of a template, as reasons a person can act on; empty when it is valid. */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(TOKEN)) {
    const name = m[1] ?? '';
    if (!known.has(name)) problems.push(`unknown placeholder {{${name.slice(0, 40)}}}; known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`);
  }
  const stray = template.replace(TOKEN, '');
  if (stray.includes('{{') || stray.includes('}}')) problems.push('unbalanced {{ or }}');
  return problems;
}

/** A template compiled once per run: alternating literal parts and placeholders, so rendering 100k texts is cheap. */
export type CompiledTemplate = ReadonlyArray<string | { readonly placeholder: Placeholder }>;

/** Compiles a valid template. @throws Error when {@link templateProblems} finds any. */
export function compileTemplate(template: string): CompiledTemplate {
  const problems = templateProblems(template);
  if (problems.length) throw new Error(`invalid template: ${problems.join('; ')}`);
  const parts: Array<string | { placeholder: Placeholder }> = [];
  let last = 0;
  for (const m of template.matchAll(TOKEN)) {
    parts.push(template.slice(last, m.index));
    parts.push({ placeholder: m[1] as Placeholder });
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  return parts.filter((p) => p !== '');
}

/** Renders a compiled template; collapses the double spaces an empty value (no last name) would leave. */
export function renderTemplate(compiled: CompiledTemplate, values: TemplateValues): string {
  let out = '';
  for (const p of compiled) out += typeof p === 'string' ? p : values[p.placeholder];
  return out.replace(/ {2,}/g, ' ').trim();
}

import { DomainError } from '@dailydesk/event-store';
import type { SmsKind, SmsSettings } from './sms-settings.schema';

/** Placeholders a template may use, as `{{name}}`. */
export const PLACEHOLDERS = ['firstName', 'businessName', 'date', 'time', 'link', 'service', 'staff', 'address'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Partial<Record<Placeholder, string>>;

const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;
const OPTIONAL = /\[\[([^[\]]*)\]\]/g;

/** Texts a business gets unless it saved its own; `[[…]]` is dropped when a placeholder inside it has no value. */
export const BUILT_IN_TEMPLATES: Readonly<Record<string, Record<SmsKind, string>>> = {
  en: {
    confirmation:
      'Hi {{firstName}}, your {{service}}[[ with {{staff}}]] at {{businessName}} is booked for {{date}} at {{time}}.[[ Address: {{address}}.]]',
    reschedule:
      'Hi {{firstName}}, your {{service}}[[ with {{staff}}]] at {{businessName}} has moved to {{date}} at {{time}}.[[ Address: {{address}}.]]',
    reminder: 'Hi {{firstName}}, see you on {{date}} at {{time}} for {{service}} at {{businessName}}. Please confirm: {{link}}',
    review: 'Hi {{firstName}}, thank you for visiting {{businessName}}! We would love your review: {{link}}',
  },
  de: {
    confirmation:
      'Hallo {{firstName}}, Ihr Termin {{service}}[[ bei {{staff}}]] bei {{businessName}} ist gebucht: {{date}} um {{time}}.[[ Adresse: {{address}}.]]',
    reschedule:
      'Hallo {{firstName}}, Ihr Termin {{service}}[[ bei {{staff}}]] bei {{businessName}} wurde verlegt auf {{date}} um {{time}}.[[ Adresse: {{address}}.]]',
    reminder: 'Hallo {{firstName}}, wir sehen uns am {{date}} um {{time}} ({{service}}, {{businessName}}). Bitte bestätigen: {{link}}',
    review: 'Hallo {{firstName}}, danke für Ihren Besuch bei {{businessName}}! Wir freuen uns über Ihre Bewertung: {{link}}',
  },
};

/** Kinds whose text is pointless without the link. */
const NEEDS_LINK: readonly SmsKind[] = ['reminder', 'review'];

/**
 * Checks one template: every `{{…}}` names a known placeholder, braces are balanced, reminders and review requests
 * carry `{{link}}`. Throws DomainError `UNKNOWN_PLACEHOLDER` (with the name) or `INVALID_TEMPLATE`.
 */
export function validateTemplate(kind: SmsKind, template: string, where: string): void {
  for (const m of template.matchAll(TOKEN)) {
    const name = m[1] ?? '';
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new DomainError(
        'UNKNOWN_PLACEHOLDER',
        `${where}: unknown placeholder {{${name}}}; known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      );
    }
  }
  const rest = template.replace(TOKEN, '');
  if (rest.includes('{{') || rest.includes('}}')) throw new DomainError('INVALID_TEMPLATE', `${where}: unbalanced {{ or }}`);
  const outside = template.replace(OPTIONAL, '');
  if (outside.includes('[[') || outside.includes(']]')) throw new DomainError('INVALID_TEMPLATE', `${where}: unbalanced [[ or ]]`);
  if (NEEDS_LINK.includes(kind) && !/\{\{\s*link\s*\}\}/.test(outside)) {
    throw new DomainError('INVALID_TEMPLATE', `${where}: a ${kind} text must contain {{link}} (outside [[…]])`);
  }
}

/** Validates every template of a settings document. */
export function validateTemplates(templates: SmsSettings['templates']): void {
  for (const [language, byKind] of Object.entries(templates)) {
    for (const [kind, template] of Object.entries(byKind)) {
      if (template !== undefined) validateTemplate(kind as SmsKind, template, `templates.${language}.${kind}`);
    }
  }
}

/** The template used for `kind`: the business's own in its language, else the built-in one (English fallback). */
export function templateFor(settings: SmsSettings, kind: SmsKind): string {
  const own = settings.templates[settings.language]?.[kind];
  return own ?? (BUILT_IN_TEMPLATES[settings.language] ?? BUILT_IN_TEMPLATES.en)![kind];
}

/** Fills a (validated) template; optional `[[…]]` parts vanish when one of their placeholders has no value. */
export function renderTemplate(template: string, values: TemplateValues): string {
  const valueOf = (name: string) => values[name as Placeholder]?.trim() ?? '';
  const fill = (text: string) => text.replace(TOKEN, (_m, name: string) => valueOf(name));
  const withOptional = template.replace(OPTIONAL, (_m, inner: string) => {
    const names = [...inner.matchAll(TOKEN)].map((m) => m[1] ?? '');
    return names.every((n) => valueOf(n) !== '') ? fill(inner) : '';
  });
  return fill(withOptional).replace(/[ \t]{2,}/g, ' ').trim();
}

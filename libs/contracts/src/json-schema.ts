import { z } from 'zod';
import { catalogue } from './catalogue';
import { streamOf, subjectOf } from './subjects';

/** A generated documentation file: path relative to the repository root, and its exact content. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** Where the JSON Schemas live, relative to the repository root. */
export const SCHEMA_DOCS_DIR = 'docs/schemas';

/** The file name of one message version's JSON Schema: `AppointmentBooked.v1.json`. */
export function schemaFileName(type: string, v: number): string {
  return `${type}.v${v}.json`;
}

/**
 * The JSON Schema (draft 2020-12) a producer validates against: the input side of the zod schema, so optional
 * fields may be absent and unknown keys are allowed (consumers ignore them). Rules JSON Schema cannot express
 * (cross-field checks, time zone existence) are in the descriptions; the zod schema remains the authority.
 */
export function jsonSchemaOf(entry: (typeof catalogue)[number]): Record<string, unknown> {
  const generated = z.toJSONSchema(entry.schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: schemaFileName(entry.type, entry.v),
    title: `${entry.type} v${entry.v}`,
    description: `${entry.summary} Subject: ${subjectOf(entry.type)}.`,
    ...rest,
  };
}

/**
 * The catalogue as a Markdown table (message, v, kind, subject, stream, producer, consumers), each message
 * linked to its JSON Schema under `linkDir`.
 */
export function catalogueTable(linkDir: string): string {
  const rows = catalogue.map(
    (e) =>
      `| [${e.type}](${linkDir}${schemaFileName(e.type, e.v)}) | ${e.v} | ${e.kind} | \`${subjectOf(e.type)}\` | ` +
      `${streamOf(subjectOf(e.type))?.name ?? ''} | ${e.producer} | ${e.consumers.join(', ')} |`,
  );
  return ['| message | v | kind | subject | stream | producer | consumers |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

function indexOf(): string {
  const summaries = catalogue.map((e) => `- **${e.type}** — ${e.summary}`);
  return [
    '# Public message schemas',
    '',
    'JSON Schema (draft 2020-12) of every public message of DailyDesk, generated from the zod schemas in',
    '`libs/contracts`. A booking frontend in any language validates what it publishes against these files.',
    'Every message is an envelope `{ id, type, v, occurredAt, businessId, correlationId, causationId, data }`.',
    'Publish it as UTF-8 JSON on the subject below with the NATS header `Nats-Msg-Id` = `id`; keep `id` the same',
    'when you retry, so JetStream drops the duplicate.',
    '',
    'A few rules cannot be written in JSON Schema and are stated in the `description` of the object they concern',
    '(cross-field rules such as `endsAt` after `startsAt`, and that a time zone exists in the tz database). The',
    'consumers enforce them; a message that breaks one goes to the dead-letter stream with the reason.',
    '',
    'Do not edit these files by hand. After changing a schema, regenerate them with',
    '',
    '```sh',
    'UPDATE_SCHEMAS=1 npx jest libs/contracts/',
    '```',
    '',
    'and commit the result; the contracts tests fail while the committed files differ from the schemas.',
    '',
    catalogueTable(''),
    '',
    ...summaries,
    '',
  ].join('\n');
}

/** Every file under docs/schemas: one JSON Schema per public message version, plus README.md (the index). */
export function generatedSchemaDocs(): GeneratedFile[] {
  const files = catalogue.map((e) => ({
    path: `${SCHEMA_DOCS_DIR}/${schemaFileName(e.type, e.v)}`,
    content: `${JSON.stringify(jsonSchemaOf(e), null, 2)}\n`,
  }));
  return [...files, { path: `${SCHEMA_DOCS_DIR}/README.md`, content: indexOf() }];
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const ROOT = path.resolve(__dirname, '../..');

/** A parsed compose file (merge keys `<<` resolved, no variable interpolation). */
export type ComposeDoc = {
  services: Record<string, Record<string, unknown>>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
};

export function loadCompose(file = path.join(ROOT, 'docker-compose.yml')): ComposeDoc {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeDoc;
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
// The schema names its draft as https://json-schema.org/draft-07/schema, a spelling Ajv does not register; it is
// draft-07, which is what Ajv 8's default class validates, so the $schema key is dropped.
const { $schema: _draft, ...composeSchema } = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/dclint/schemas/compose.schema.json'), 'utf8')) as Record<string, unknown>;
const validate = ajv.compile(composeSchema);

/** Violations of the Compose Specification's JSON Schema, as `path: message`. */
export function schemaProblems(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

const dependsOn = (svc: Record<string, unknown>): string[] => {
  const d = svc.depends_on;
  if (Array.isArray(d)) return d.map(String);
  if (d && typeof d === 'object') return Object.keys(d);
  return [];
};

/** Named volumes a service mounts (a `source:target` whose source is not a path). */
const namedVolumes = (svc: Record<string, unknown>): string[] =>
  ((svc.volumes as unknown[] | undefined) ?? []).flatMap((v) => {
    const source = typeof v === 'string' ? v.split(':')[0] : (v as { type?: string; source?: string }).type === 'volume' ? (v as { source?: string }).source : undefined;
    return source && !/^[./~$]/.test(source) ? [source] : [];
  });

/** What the schema cannot see: references between parts of the file, and the rules of this project. */
export function crossReferenceProblems(doc: ComposeDoc): string[] {
  const problems: string[] = [];
  const names = new Set(Object.keys(doc.services ?? {}));
  const declaredVolumes = new Set(Object.keys(doc.volumes ?? {}));
  for (const [name, svc] of Object.entries(doc.services ?? {})) {
    for (const dep of dependsOn(svc)) {
      if (!names.has(dep)) problems.push(`${name}: depends_on names "${dep}", which is not a service`);
      if (dep === name) problems.push(`${name}: depends on itself`);
      const cond = (svc.depends_on as Record<string, { condition?: string }> | undefined)?.[dep]?.condition;
      if (cond === 'service_healthy' && !doc.services[dep]?.healthcheck) problems.push(`${name}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
    }
    for (const vol of namedVolumes(svc)) {
      if (!declaredVolumes.has(vol)) problems.push(`${name}: mounts volume "${vol}", which is not declared under volumes:`);
    }
    const hc = svc.healthcheck as { test?: unknown; disable?: boolean } | undefined;
    if (!hc || hc.disable || !Array.isArray(hc.test) || hc.test.length < 2) problems.push(`${name}: has no healthcheck test`);
    const image = String(svc.image ?? '');
    if (!image) problems.push(`${name}: has no image`);
    else if (!svc.build && (!image.includes(':') || /:latest$/.test(image))) problems.push(`${name}: image "${image}" is not pinned to a version`);
  }
  return problems;
}

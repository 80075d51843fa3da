import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { catalogueTable, generatedSchemaDocs, SCHEMA_DOCS_DIR } from './json-schema';

// The committed docs must be exactly what the schemas produce. `UPDATE_SCHEMAS=1 npx jest libs/contracts/`
// rewrites them (and removes schema files of messages that no longer exist) instead of failing.
const root = join(__dirname, '../../..');
const update = process.env.UPDATE_SCHEMAS === '1';
const readme = join(__dirname, '../README.md');
const START = '<!-- catalogue:start (generated: UPDATE_SCHEMAS=1 npx jest libs/contracts/) -->';
const END = '<!-- catalogue:end -->';

const files = generatedSchemaDocs();
const hint = 'run UPDATE_SCHEMAS=1 npx jest libs/contracts/ and commit the result';

describe(`${SCHEMA_DOCS_DIR} matches the schemas`, () => {
  if (update) {
    for (const f of files) {
      mkdirSync(dirname(join(root, f.path)), { recursive: true });
      writeFileSync(join(root, f.path), f.content);
    }
    const wanted = new Set(files.map((f) => f.path));
    for (const name of readdirSync(join(root, SCHEMA_DOCS_DIR))) {
      if (!wanted.has(`${SCHEMA_DOCS_DIR}/${name}`)) unlinkSync(join(root, SCHEMA_DOCS_DIR, name));
    }
  }

  it.each(files.map((f) => [f.path, f] as const))('%s is up to date', (path, f) => {
    const committed = existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : `(missing: ${hint})`;
    expect(committed).toBe(f.content);
  });

  it('holds no file the schemas do not produce', () => {
    const wanted = files.map((f) => f.path.slice(SCHEMA_DOCS_DIR.length + 1)).sort();
    expect(readdirSync(join(root, SCHEMA_DOCS_DIR)).sort()).toEqual(wanted);
  });

  it('lists the catalogue in libs/contracts/README.md', () => {
    const table = catalogueTable(`../../${SCHEMA_DOCS_DIR}/`);
    let text = readFileSync(readme, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect({ start: start >= 0, end: end > start }).toEqual({ start: true, end: true });
    const current = text.slice(start + START.length, end);
    if (update && current !== `\n${table}\n`) {
      text = `${text.slice(0, start + START.length)}\n${table}\n${text.slice(end)}`;
      writeFileSync(readme, text);
    }
    expect(readFileSync(readme, 'utf8').slice(start + START.length, start + START.length + table.length + 2)).toBe(`\n${table}\n`);
  });
});

import type { PGlite } from '@electric-sql/pglite';
import { runInThisContext } from 'node:vm';

/**
 * The PGlite class, loaded by the host realm's require. PGlite loads its WASM with dynamic `import()`, which jest's
 * module sandbox refuses without --experimental-vm-modules (electric-sql/pglite#224), and jest also wraps `require`
 * and `process.getBuiltinModule`. `runInThisContext` reaches the real `process`; outside jest this is plain require.
 */
export function loadPglite(): typeof PGlite {
  const host = runInThisContext('process') as { getBuiltinModule(id: 'node:module'): typeof import('node:module') };
  const hostRequire = host.getBuiltinModule('node:module').createRequire(__filename);
  return (hostRequire('@electric-sql/pglite') as { PGlite: typeof PGlite }).PGlite;
}

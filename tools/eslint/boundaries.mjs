// ESLint rule `dailydesk/boundaries`: the workspace's dependency rules, checked on every import.
//  - a service never imports another service (what one needs from another arrives as events);
//  - a lib never imports a service;
//  - another project's code is reached only through its public name `@dailydesk/<lib>`, never by a relative
//    path or a deep import (`@dailydesk/<lib>/src/...`);
//  - libs/contracts imports only zod (it is the language-neutral contract of the platform).
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** 'services/appointments' for a file under it, or null outside libs/ and services/. */
function projectOf(file) {
  const rel = path.relative(root, file).split(path.sep);
  if ((rel[0] === 'libs' || rel[0] === 'services') && rel.length > 2) return `${rel[0]}/${rel[1]}`;
  return null;
}

const isNodeBuiltin = (spec) => spec.startsWith('node:');

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the dependency rules between libs and services' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = projectOf(file);
    if (!from) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      const report = (message) => context.report({ node, message });
      if (spec.startsWith('.')) {
        const target = projectOf(path.resolve(path.dirname(file), spec));
        if (target && target !== from) {
          report(`${from} reaches into ${target} by a relative path; ${target.startsWith('libs/') ? `import '@dailydesk/${target.slice(5)}'` : 'a service never imports another service'}`);
        }
        return;
      }
      const m = /^@dailydesk\/([^/]+)(\/.*)?$/.exec(spec);
      if (m) {
        if (m[2]) report(`deep import '${spec}': use the public API '@dailydesk/${m[1]}'`);
        if (from.startsWith('libs/') && `libs/${m[1]}` === from) report(`${from} imports itself by its public name; use a relative path`);
      }
      if (from === 'libs/contracts' && spec !== 'zod' && !isNodeBuiltin(spec)) {
        report(`libs/contracts imports only zod (found '${spec}')`);
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node, node.arguments[0].value);
        }
      },
    };
  },
};

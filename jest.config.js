// One jest run covers every lib and service (`npm test`). Two projects:
//  - unit:        *.spec.ts — pure, no I/O
//  - integration: *.int.spec.ts and *.e2e.spec.ts — real NATS / PostgreSQL / simulator
// Workspace imports (@dailydesk/<lib>) resolve to the lib's src/index.ts, so nothing is built before testing.
const { existsSync } = require('node:fs');
const path = require('node:path');

// Test roots: every lib and service, and the cross-service suites under tests/ (full flow, deployment files).
const roots = ['libs', 'services', 'tests'].filter((d) => existsSync(path.join(__dirname, d))).map((d) => `<rootDir>/${d}`);
const moduleNameMapper = { '^@dailydesk/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts' };
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
const common = {
  rootDir: __dirname,
  roots,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  transform,
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.int.spec.ts', '**/*.e2e.spec.ts'],
    },
  ],
  // A project-level testTimeout is ignored by jest 30; the global one applies to both projects.
  testTimeout: 60_000,
  maxWorkers: 2,
};

#!/usr/bin/env node
// Lets `npx skyline-sim` run the TypeScript entry without a build step.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS shim
require('@swc-node/register');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS shim
require('./skyline-sim.ts');

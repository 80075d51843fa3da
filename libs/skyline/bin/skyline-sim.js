#!/usr/bin/env node
// Lets `npx skyline-sim` run the TypeScript entry without a build step.
require('@swc-node/register');
require('./skyline-sim.ts');

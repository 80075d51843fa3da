#!/usr/bin/env node
// Lets `npx dailydesk` / `npm run cli --` run the TypeScript entry without a build step.
require('@swc-node/register');
require('./dailydesk.ts');

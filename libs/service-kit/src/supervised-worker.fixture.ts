// A worker for supervised-worker.int.spec.ts: says ready, exits with code 1 on { type: 'crash' }, ends on { type: 'stop' }.
import { parentPort } from 'node:worker_threads';

const port = parentPort!;
port.on('message', (m: { type: string }) => {
  if (m.type === 'crash') process.exit(1);
  if (m.type === 'stop') port.close();
});
port.postMessage({ type: 'ready' });

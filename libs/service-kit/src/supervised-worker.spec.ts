import { workerExecArgv } from './supervised-worker';

describe('workerExecArgv', () => {
  it('keeps the preloads and drops the flags a worker thread refuses', () => {
    const argv = ['--max-semi-space-size=32', '-r', 'a-loader', '--cpu-prof', '--require', 'b', '--require=c', '--inspect=0'];
    expect(workerExecArgv(argv, false)).toEqual(['-r', 'a-loader', '--require', 'b', '--require=c']);
  });

  it('adds the TypeScript loader when the sources are TypeScript and it is not preloaded yet', () => {
    expect(workerExecArgv(['--max-old-space-size=512'], true)).toEqual(['-r', '@swc-node/register']);
    expect(workerExecArgv(['-r', '@swc-node/register'], true)).toEqual(['-r', '@swc-node/register']);
  });
});

import { Client } from 'pg';
import { type PostgresServerHandle, startPostgres } from './postgres-server';

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  let pg: PostgresServerHandle;

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.dispose());

  it('starts a private server of the installed major version that accepts queries', async () => {
    expect(pg.port).not.toBe(5432);
    const [row] = await query<{ server_version_num: string }>(pg.connectionString, 'SHOW server_version_num');
    expect(row?.server_version_num ?? '').toMatch(new RegExp(`^${pg.version}`));
  });

  it('keeps committed rows across a SIGKILL of the whole server and a restart', async () => {
    await query(pg.connectionString, 'CREATE TABLE kept (id int primary key)');
    await query(pg.connectionString, 'INSERT INTO kept VALUES (1), (2), (3)');
    await pg.kill();
    expect(pg.isRunning()).toBe(false);
    await expect(query(pg.connectionString, 'SELECT 1')).rejects.toThrow();
    await pg.restart();
    const rows = await query<{ n: string }>(pg.connectionString, 'SELECT count(*) AS n FROM kept');
    expect(rows[0]?.n).toBe('3');
  });

  it('stops cleanly and restarts', async () => {
    await pg.stop();
    expect(pg.isRunning()).toBe(false);
    await pg.restart();
    expect(await query(pg.connectionString, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });
});

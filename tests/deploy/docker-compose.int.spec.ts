import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crossReferenceProblems, loadCompose, ROOT, schemaProblems, type ComposeDoc } from './compose-checks';

const APP_SERVICES = { scheduler: '3001', appointments: '3002', campaigns: '3003', 'sms-dispatch': '3004', receipts: '3005' } as const;
const copy = (doc: ComposeDoc): ComposeDoc => JSON.parse(JSON.stringify(doc)) as ComposeDoc;

describe('docker-compose.yml', () => {
  const doc = loadCompose();

  it('is valid against the Compose Specification JSON Schema', () => {
    expect(schemaProblems(doc)).toEqual([]);
  });

  it('has consistent references: depends_on, named volumes, health checks, pinned images', () => {
    expect(crossReferenceProblems(doc)).toEqual([]);
  });

  it('runs each service in its own container from the one Dockerfile, wired to NATS, PostgreSQL and the simulator', () => {
    for (const [name, port] of Object.entries(APP_SERVICES)) {
      const svc = doc.services[name] as { build?: { dockerfile?: string }; environment?: Record<string, string>; healthcheck?: { test: string[] }; depends_on?: Record<string, unknown> };
      expect(svc.build?.dockerfile).toBe('Dockerfile');
      expect(svc.environment).toMatchObject({ SERVICE: name, PORT: port, HTTP_HOST: '0.0.0.0', NATS_URL: 'nats://nats:4222' });
      expect(svc.environment?.DATABASE_URL).toMatch(/^postgres:\/\/dailydesk:.*@postgres:5432\/dailydesk$/);
      expect(svc.healthcheck?.test.join(' ')).toContain('/health/ready');
      expect(Object.keys(svc.depends_on ?? {})).toEqual(expect.arrayContaining(['nats', 'postgres']));
    }
    expect(doc.services['sms-dispatch'].environment).toMatchObject({ SMS_BASE_URL: '${SMS_BASE_URL:-http://simulator:9991}' });
    expect(String((doc.services.simulator.environment as Record<string, string>).SIM_CALLBACK_URL)).toMatch(/^http:\/\/receipts:3005\/sms-gateway\/handle-serverless\?token=/);
  });

  it('pins NATS 2.10 with JetStream on a named volume, and PostgreSQL 15 on a named volume', () => {
    expect(doc.services.nats.image).toMatch(/^nats:2\.10\.\d+-alpine$/);
    expect(doc.services.nats.command).toEqual(expect.arrayContaining(['-js', '-sd', '/data']));
    expect(doc.services.nats.volumes).toEqual(['nats-data:/data']);
    expect(doc.services.postgres.image).toMatch(/^postgres:15\.\d+-alpine$/);
    expect(doc.services.postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
  });

  it('asks for every required secret in the .env template', () => {
    const required = new Set([...readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]));
    const template = readFileSync(path.join(ROOT, 'deploy/compose.env.example'), 'utf8');
    expect(required.size).toBeGreaterThan(0);
    for (const key of required) expect(template).toMatch(new RegExp(`^${key}=`, 'm'));
  });

  it('the checks catch what they are meant to catch', () => {
    const broken = copy(doc);
    broken.services.receipts.depends_on = { natz: { condition: 'service_healthy' } };
    broken.services.nats.volumes = ['nats-store:/data'];
    delete broken.services.campaigns.healthcheck;
    broken.services.postgres.image = 'postgres:latest';
    expect(crossReferenceProblems(broken)).toEqual([
      'nats: mounts volume "nats-store", which is not declared under volumes:',
      'postgres: image "postgres:latest" is not pinned to a version',
      'campaigns: has no healthcheck test',
      'receipts: depends_on names "natz", which is not a service',
      'receipts: waits for natz to be healthy, but natz has no healthcheck',
    ]);
    const invalid = copy(doc);
    (invalid.services.scheduler as Record<string, unknown>).restart_policy = 'always';
    expect(schemaProblems(invalid).join('\n')).toContain('restart_policy');
  });
});

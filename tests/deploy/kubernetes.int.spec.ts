import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './compose-checks';
import { applyReplacePatch, crossReferenceProblems, loadManifests, schemaProblems, yamlFiles, type Manifest } from './k8s-checks';

const K8S = path.join(ROOT, 'deploy/kubernetes');
const BASE = path.join(K8S, 'base');
const PORTS = { scheduler: 3001, appointments: 3002, campaigns: 3003, 'sms-dispatch': 3004, receipts: 3005 } as const;
type Kustomization = { resources: string[]; patches?: Array<{ path: string; target?: { kind: string; name: string } }> };
const readYaml = <T>(file: string): T => parse(readFileSync(file, 'utf8')) as T;
const find = (all: Manifest[], kind: string, name: string) => {
  const m = all.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`${kind} ${name} not found`);
  return m;
};
const clone = (all: Manifest[]): Manifest[] => JSON.parse(JSON.stringify(all)) as Manifest[];

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const all = loadManifests(BASE);

  it('every object is valid against its schema (kubernetes-models; ExternalSecret structurally)', () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(all.flatMap(schemaProblems)).toEqual([]);
  });

  it('references resolve: selectors, named probe and target ports, ConfigMap / Secret keys, volumes, headless service', () => {
    expect(crossReferenceProblems(all)).toEqual([]);
  });

  it('the base kustomization lists exactly the manifest files of the base', () => {
    const k = readYaml<Kustomization>(path.join(BASE, 'kustomization.yaml'));
    const listed = k.resources.map((r) => path.join(BASE, r)).sort();
    const present = yamlFiles(BASE).filter((f) => path.basename(f) !== 'kustomization.yaml').sort();
    expect(listed).toEqual(present);
  });

  it.each(Object.entries(PORTS))('%s: Deployment + Service with probes, resources and its port', (name, port) => {
    const d = find(all, 'Deployment', name);
    const c = d.spec.template.spec.containers[0];
    expect(c.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(c.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(c.resources.limits.memory).toEqual(expect.any(String));
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'SERVICE', value: name }, { name: 'PORT', value: String(port) }]));
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'dailydesk-config' } }]);
    expect(find(all, 'Service', name).spec.ports).toEqual([{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('a V8 heap cap in NODE_OPTIONS fits its container\'s memory limit, with room for the rest of the process', () => {
    const mebibytes = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? NaN) || Number(/^(\d+)Gi$/.exec(q)?.[1] ?? NaN) * 1024;
    const capped = Object.keys(PORTS).flatMap((name) => {
      const c = find(all, 'Deployment', name).spec.template.spec.containers[0];
      const options = (c.env as Array<{ name: string; value?: string }>).find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
      const cap = /--max-old-space-size=(\d+)/.exec(options);
      return cap ? [{ name, heapMi: Number(cap[1]), limitMi: mebibytes(c.resources.limits.memory) }] : [];
    });
    expect(capped.map((c) => c.name)).toContain('campaigns');
    for (const c of capped) expect({ ...c, fits: c.heapMi + 96 <= c.limitMi }).toEqual({ ...c, fits: true });
  });

  it('sms-dispatch reads the gateway settings from the seed SSM layout, and runs as a single replica', () => {
    const gw = find(all, 'ExternalSecret', 'dailydesk-gateway');
    expect(Object.fromEntries(gw.spec.data.map((d: { secretKey: string; remoteRef: { key: string } }) => [d.secretKey, d.remoteRef.key]))).toEqual({
      SMS_BASE_URL: '/dailydesk/production/gsm/base-url',
      SMS_USERNAME: '/dailydesk/production/gsm/username',
      SMS_PASSWORD: '/dailydesk/production/gsm/password',
      SMS_ENABLED: '/dailydesk/production/gsm/is-enabled',
    });
    const d = find(all, 'Deployment', 'sms-dispatch');
    const fromGateway = d.spec.template.spec.containers[0].env.filter((e: { valueFrom?: { secretKeyRef?: { name: string } } }) => e.valueFrom?.secretKeyRef?.name === 'dailydesk-gateway');
    expect(fromGateway.map((e: { name: string }) => e.name).sort()).toEqual(['SMS_BASE_URL', 'SMS_ENABLED', 'SMS_PASSWORD', 'SMS_USERNAME']);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy.type).toBe('Recreate');
  });

  it('NATS: 3-node JetStream cluster whose routes name its own pods, and streams at replicas 3', () => {
    const sts = find(all, 'StatefulSet', 'nats');
    expect(sts.spec.replicas).toBe(3);
    const conf = find(all, 'ConfigMap', 'nats-config').data!['nats.conf'];
    expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir: \/data\/jetstream/);
    const routes = [...conf.matchAll(/nats:\/\/([a-z0-9-]+)\.([a-z0-9-]+):6222/g)];
    expect(routes.map((r) => r[1])).toEqual(['nats-0', 'nats-1', 'nats-2']);
    expect(new Set(routes.map((r) => r[2]))).toEqual(new Set([sts.spec.serviceName]));
    expect(find(all, 'ConfigMap', 'dailydesk-config').data).toMatchObject({ NATS_STREAM_REPLICAS: '3', NATS_URL: 'nats://nats:4222' });
    const job = find(all, 'Job', 'nats-ensure-streams');
    const script = job.spec.template.spec.containers[0].command.at(-1) as string;
    expect(existsSync(path.join(ROOT, script))).toBe(true);
  });

  it.each(['staging', 'production'])('overlay %s: patches apply to base objects and give SSM keys of its stage', (stage) => {
    const dir = path.join(K8S, 'overlays', stage);
    const k = readYaml<Kustomization>(path.join(dir, 'kustomization.yaml'));
    expect(k.resources).toEqual(['../../base']);
    for (const patch of k.patches ?? []) {
      const body = readYaml<unknown>(path.join(dir, patch.path));
      if (Array.isArray(body)) {
        const target = find(all, patch.target!.kind, patch.target!.name);
        const patched = applyReplacePatch(target, body) as Manifest;
        expect(schemaProblems(patched)).toEqual([]);
        for (const d of patched.spec.data) expect(d.remoteRef.key).toMatch(new RegExp(`^/dailydesk/${stage}/(gsm|platform)/`));
      } else {
        const m = body as Manifest;
        const target = find(all, m.kind, m.metadata.name);
        for (const key of Object.keys(m.data ?? {})) expect(Object.keys(target.data ?? {})).toContain(key);
      }
    }
  });

  it('the checks catch broken references and schema violations', () => {
    const broken = clone(all);
    const d = find(broken, 'Deployment', 'receipts');
    d.spec.template.spec.containers[0].ports[0].name = 'web';
    d.spec.selector.matchLabels['app.kubernetes.io/name'] = 'receipt';
    const s = find(broken, 'Deployment', 'scheduler');
    s.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'CRON_API_KEY').valueFrom.secretKeyRef.key = 'CRON_KEY';
    expect(crossReferenceProblems(broken).sort()).toEqual([
      'Deployment scheduler: env CRON_API_KEY wants Secret dailydesk-platform key CRON_KEY, which does not exist',
      'Deployment receipts: selector does not match its pod labels',
      'Deployment receipts: startupProbe uses port "http", which the container does not name',
      'Deployment receipts: livenessProbe uses port "http", which the container does not name',
      'Deployment receipts: readinessProbe uses port "http", which the container does not name',
      'Service receipts: targetPort "http" is not a port of Deployment receipts',
    ].sort());
    d.spec.template.spec.containers[0].ports[0].containerPort = '3005';
    expect(schemaProblems(d).join()).toContain('containerPort must be integer');
    const es = find(broken, 'ExternalSecret', 'dailydesk-gateway');
    es.spec.data[0].remoteRef.key = '/dailydesk/gsm/base-url';
    expect(schemaProblems(es)).toEqual(['dailydesk-gateway: remoteRef.key "/dailydesk/gsm/base-url" does not follow /dailydesk/{stage}/{gsm|platform}/<name>']);
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parseAllDocuments } from 'yaml';

/** One Kubernetes object read from a manifest file. */
export interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- walked generically below, checked by the schema first
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

type Validatable = { validate(): void };
const MODELS: Record<string, new (o: any) => Validatable> = { // eslint-disable-line @typescript-eslint/no-explicit-any -- constructor inputs differ per kind
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : p.endsWith('.yaml') ? [p] : [];
  });
}

/** Every object of every manifest under `dir` (kustomization files excluded). */
export function loadManifests(dir: string): Manifest[] {
  return yamlFiles(dir)
    .filter((f) => path.basename(f) !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
        if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
        return { ...(d.toJSON() as Omit<Manifest, 'file'>), file };
      }),
    );
}

/** Schema problems: kubernetes-models' `.validate()` per built-in kind; a structural check for ExternalSecret. */
export function schemaProblems(m: Manifest): string[] {
  const key = `${m.apiVersion}/${m.kind}`;
  if (key === 'external-secrets.io/v1/ExternalSecret') return externalSecretProblems(m);
  const Model = MODELS[key];
  if (!Model) return [`${m.metadata?.name}: no schema for ${key}`];
  try {
    new Model(m).validate();
    return [];
  } catch (err) {
    return [`${m.kind} ${m.metadata?.name}: ${err instanceof Error ? err.message : String(err)}`];
  }
}

const SSM_KEY = /^\/dailydesk\/(production|staging)\/(gsm|platform)\/[a-z][a-z-]*$/;

function externalSecretProblems(m: Manifest): string[] {
  const p: string[] = [];
  const s = m.spec ?? {};
  if (!s.secretStoreRef?.name || !['SecretStore', 'ClusterSecretStore'].includes(s.secretStoreRef.kind)) p.push(`${m.metadata.name}: secretStoreRef needs a name and kind SecretStore|ClusterSecretStore`);
  if (!s.target?.name) p.push(`${m.metadata.name}: target.name missing`);
  if (!Array.isArray(s.data) || s.data.length === 0) p.push(`${m.metadata.name}: no data entries`);
  for (const d of s.data ?? []) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(d.secretKey ?? '')) p.push(`${m.metadata.name}: secretKey "${d.secretKey}" is not an env-style name`);
    if (!SSM_KEY.test(d.remoteRef?.key ?? '')) p.push(`${m.metadata.name}: remoteRef.key "${d.remoteRef?.key}" does not follow /dailydesk/{stage}/{gsm|platform}/<name>`);
  }
  return p;
}

/** Keys each Secret will hold: its own data, or an ExternalSecret's target. */
function secretKeys(all: Manifest[]): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const m of all) {
    if (m.kind === 'Secret') keys.set(m.metadata.name, new Set([...Object.keys(m.data ?? {}), ...Object.keys(m.stringData ?? {})]));
    if (m.kind === 'ExternalSecret') keys.set(m.spec.target.name, new Set((m.spec.data ?? []).map((d: { secretKey: string }) => d.secretKey)));
  }
  return keys;
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** References between objects that no schema sees: selectors, named ports, ConfigMap / Secret keys, volumes. */
export function crossReferenceProblems(all: Manifest[]): string[] {
  const p: string[] = [];
  const configMaps = new Map(all.filter((m) => m.kind === 'ConfigMap').map((m) => [m.metadata.name, new Set(Object.keys(m.data ?? {}))]));
  const secrets = secretKeys(all);
  const services = all.filter((m) => m.kind === 'Service');
  const workloads = all.filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.kind));
  for (const w of workloads) {
    const name = `${w.kind} ${w.metadata.name}`;
    const pod = w.spec.template;
    if (w.kind !== 'Job' && !matches(w.spec.selector?.matchLabels, pod.metadata?.labels)) p.push(`${name}: selector does not match its pod labels`);
    const volumes = new Set<string>([...(pod.spec.volumes ?? []).map((v: { name: string }) => v.name), ...(w.spec.volumeClaimTemplates ?? []).map((v: { metadata: { name: string } }) => v.metadata.name)]);
    for (const v of pod.spec.volumes ?? []) {
      if (v.configMap && !configMaps.has(v.configMap.name)) p.push(`${name}: volume ${v.name} uses ConfigMap ${v.configMap.name}, which does not exist`);
    }
    for (const c of pod.spec.containers) {
      const ports = new Set<string>((c.ports ?? []).map((x: { name?: string }) => x.name).filter(Boolean));
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const port = c[probe]?.httpGet?.port;
        if (typeof port === 'string' && !ports.has(port)) p.push(`${name}: ${probe} uses port "${port}", which the container does not name`);
      }
      for (const vm of c.volumeMounts ?? []) if (!volumes.has(vm.name)) p.push(`${name}: mounts volume ${vm.name}, which is not declared`);
      for (const ef of c.envFrom ?? []) {
        if (ef.configMapRef && !configMaps.has(ef.configMapRef.name)) p.push(`${name}: envFrom ConfigMap ${ef.configMapRef.name} does not exist`);
        if (ef.secretRef && !secrets.has(ef.secretRef.name)) p.push(`${name}: envFrom Secret ${ef.secretRef.name} does not exist`);
      }
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm && !configMaps.get(cm.name)?.has(cm.key)) p.push(`${name}: env ${e.name} wants ConfigMap ${cm.name} key ${cm.key}, which does not exist`);
        const sk = e.valueFrom?.secretKeyRef;
        if (sk && !secrets.get(sk.name)?.has(sk.key)) p.push(`${name}: env ${e.name} wants Secret ${sk.name} key ${sk.key}, which does not exist`);
      }
    }
    if (w.kind === 'StatefulSet') {
      const headless = services.find((s) => s.metadata.name === w.spec.serviceName);
      if (!headless) p.push(`${name}: serviceName ${w.spec.serviceName} is not a Service`);
      else if (headless.spec.clusterIP !== 'None') p.push(`${name}: serviceName ${w.spec.serviceName} is not headless`);
    }
  }
  for (const s of services) {
    const targets = workloads.filter((w) => w.kind !== 'Job' && matches(s.spec.selector, w.spec.template.metadata?.labels));
    if (targets.length === 0) p.push(`Service ${s.metadata.name}: selector matches no workload`);
    for (const port of s.spec.ports ?? []) {
      if (typeof port.targetPort !== 'string') continue;
      for (const t of targets) {
        const named = t.spec.template.spec.containers.some((c: { ports?: Array<{ name?: string }> }) => (c.ports ?? []).some((x) => x.name === port.targetPort));
        if (!named) p.push(`Service ${s.metadata.name}: targetPort "${port.targetPort}" is not a port of ${t.kind} ${t.metadata.name}`);
      }
    }
  }
  for (const pdb of all.filter((m) => m.kind === 'PodDisruptionBudget')) {
    if (!workloads.some((w) => matches(pdb.spec.selector?.matchLabels, w.spec.template.metadata?.labels))) p.push(`PodDisruptionBudget ${pdb.metadata.name}: selector matches no workload`);
  }
  return p;
}

/** Applies `replace` operations of a JSON 6902 patch (the only op the overlays use); throws on a missing path. */
export function applyReplacePatch(target: unknown, ops: Array<{ op: string; path: string; value: unknown }>): unknown {
  const copy = JSON.parse(JSON.stringify(target)) as Record<string, unknown>;
  for (const op of ops) {
    if (op.op !== 'replace') throw new Error(`unsupported op ${op.op}`);
    const parts = op.path.split('/').slice(1);
    let node: any = copy; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking a JSON pointer
    for (const part of parts.slice(0, -1)) {
      if (node?.[part] === undefined) throw new Error(`path ${op.path} does not exist`);
      node = node[part];
    }
    const last = parts[parts.length - 1];
    if (node?.[last] === undefined) throw new Error(`path ${op.path} does not exist`);
    node[last] = op.value;
  }
  return copy;
}

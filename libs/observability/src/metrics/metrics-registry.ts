import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry. Its own instance (not prom-client's global one), so what `/metrics` shows is
 * exactly what this process registered through the helpers below plus the default Node.js metrics.
 */
export const metricsRegistry = new Registry();

let defaultsCollected = false;

/**
 * Labels every series with `service` and starts collecting the default Node.js process metrics (once per
 * process; calling again only changes the `service` label).
 */
export function initMetrics(options: { service: string }): Registry {
  metricsRegistry.setDefaultLabels({ service: options.service });
  if (!defaultsCollected) {
    collectDefaultMetrics({ register: metricsRegistry });
    defaultsCollected = true;
  }
  return metricsRegistry;
}

/** Name, help text and label names of a metric. */
export interface MetricDefinition<L extends string = string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/** A {@link MetricDefinition} of a histogram, with optional bucket boundaries (seconds by convention). */
export interface HistogramDefinition<L extends string = string> extends MetricDefinition<L> {
  buckets?: number[];
}

type MetricClass = typeof Counter | typeof Gauge | typeof Histogram;

// Registering the same name twice makes prom-client throw; modules that are instantiated more than once (Nest
// test apps, handlers built per consumer) ask for the same metric again and must get the first one back.
function existing<T>(cls: MetricClass, def: MetricDefinition): T | undefined {
  const found = metricsRegistry.getSingleMetric(def.name);
  if (!found) return undefined;
  if (!(found instanceof cls)) {
    throw new Error(`metric "${def.name}" is already registered as another type`);
  }
  const had = [...((found as unknown as { labelNames?: string[] }).labelNames ?? [])].sort().join(',');
  const wants = [...(def.labelNames ?? [])].sort().join(',');
  if (had !== wants) {
    throw new Error(`metric "${def.name}" is already registered with labels [${had}], not [${wants}]`);
  }
  return found as T;
}

/** Returns the counter named `def.name`, registering it in {@link metricsRegistry} on first use. */
export function counter<L extends string = string>(def: MetricDefinition<L>): Counter<L> {
  return (
    existing<Counter<L>>(Counter, def) ??
    new Counter<L>({ name: def.name, help: def.help, labelNames: def.labelNames ?? [], registers: [metricsRegistry] })
  );
}

/** Returns the gauge named `def.name`, registering it in {@link metricsRegistry} on first use. */
export function gauge<L extends string = string>(def: MetricDefinition<L>): Gauge<L> {
  return (
    existing<Gauge<L>>(Gauge, def) ??
    new Gauge<L>({ name: def.name, help: def.help, labelNames: def.labelNames ?? [], registers: [metricsRegistry] })
  );
}

/** Returns the histogram named `def.name`, registering it in {@link metricsRegistry} on first use. */
export function histogram<L extends string = string>(def: HistogramDefinition<L>): Histogram<L> {
  return (
    existing<Histogram<L>>(Histogram, def) ??
    new Histogram<L>({
      name: def.name,
      help: def.help,
      labelNames: def.labelNames ?? [],
      ...(def.buckets ? { buckets: def.buckets } : {}),
      registers: [metricsRegistry],
    })
  );
}

/** The Prometheus text exposition of {@link metricsRegistry} and its content type, as `/metrics` serves them. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

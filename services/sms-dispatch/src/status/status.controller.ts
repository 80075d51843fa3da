import { Controller, Get, Inject } from '@nestjs/common';
import { DispatchRuntime } from '../dispatch/dispatch-runtime';

const LANES = ['instant', 'normal', 'bulk'] as const;

/** `GET /sms-gateway/status`: what operators check first when texts do not arrive. */
@Controller('sms-gateway')
export class StatusController {
  constructor(@Inject(DispatchRuntime) private readonly runtime: DispatchRuntime) {}

  @Get('status')
  async status() {
    const { dispatcher, gateway, config } = this.runtime;
    // The sending replica knows its queue in memory; another one reports the leader's count, stored within a second of
    // each change and every 30 s when unchanged (most waiting texts live only in the leader's memory and the log:
    // queue-fold.ts), and when it was counted.
    let depth: number[] | null = dispatcher.queueDepth();
    let queueCountedAt: string | null = depth ? new Date().toISOString() : null;
    if (!depth) {
      const [row] = await this.runtime.db.query<{ instant: number; normal: number; bulk: number; at: Date }>(
        `SELECT instant, normal, bulk, at FROM "${this.runtime.schema}".leader_queue`,
      );
      depth = row ? [row.instant, row.normal, row.bulk] : [0, 0, 0];
      queueCountedAt = row ? row.at.toISOString() : null;
    }
    const queue = Object.fromEntries(LANES.map((l, i) => [l, depth![i] ?? 0]));
    return {
      enabled: config.enabled,
      leader: dispatcher.isLeader,
      reachable: gateway?.reachable ?? null,
      latencyMs: gateway?.lastLatencyMs ?? null,
      ports: { registered: dispatcher.pacer.registered.length, total: dispatcher.portsTotal, active: dispatcher.pacer.registered },
      queue,
      queueCountedAt,
      circuit: {
        state: dispatcher.circuit.state,
        consecutiveFailures: dispatcher.circuit.consecutiveFailures,
        openUntil: dispatcher.circuit.openUntilMs === null ? null : new Date(dispatcher.circuit.openUntilMs).toISOString(),
      },
      lastSuccessfulSendAt: dispatcher.lastSuccessfulSendAt,
    };
  }
}

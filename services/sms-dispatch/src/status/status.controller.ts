import { Controller, Get, Inject } from '@nestjs/common';
import { DispatchRuntime } from '../dispatch/dispatch-runtime';

const LANES = ['instant', 'normal', 'bulk'] as const;

/** `GET /sms-gateway/status`: what operators check first when texts do not arrive. */
@Controller('sms-gateway')
export class StatusController {
  constructor(@Inject(DispatchRuntime) private readonly runtime: DispatchRuntime) {}

  /** The count the leading replica stored last (`leader_queue`), and when; zeros when no leader has stored one yet. */
  private async leaderDepth(): Promise<{ depth: number[]; queueCountedAt: string | null }> {
    const [row] = await this.runtime.db.query<{ instant: number; normal: number; bulk: number; at: Date }>(
      `SELECT instant, normal, bulk, at FROM "${this.runtime.schema}".leader_queue`,
    );
    return row ? { depth: [row.instant, row.normal, row.bulk], queueCountedAt: row.at.toISOString() } : { depth: [0, 0, 0], queueCountedAt: null };
  }

  @Get('status')
  async status() {
    const { dispatcher, gateway, config } = this.runtime;
    // The sending replica knows its queue in memory; another one reports the leader's count, stored within a second of
    // each change and every 30 s when unchanged (most waiting texts live only in the leader's memory and the log:
    // queue-fold.ts), and when it was counted.
    const local = dispatcher.queueDepth();
    const { depth, queueCountedAt } = local ? { depth: local, queueCountedAt: new Date().toISOString() } : await this.leaderDepth();
    const queue = Object.fromEntries(LANES.map((l, i) => [l, depth[i] ?? 0]));
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

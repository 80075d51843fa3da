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
    // The sending replica knows its queue in memory; another one reads the projection (which may lag a little).
    const depth =
      dispatcher.queueDepth() ??
      (await this.runtime.db.query<{ lane: number; n: string }>(
        `SELECT lane, count(*) AS n FROM "${this.runtime.schema}".messages WHERE state IN ('queued', 'assigned') GROUP BY lane`,
      )).reduce<number[]>((d, r) => ((d[r.lane] = Number(r.n)), d), [0, 0, 0]);
    const queue = Object.fromEntries(LANES.map((l, i) => [l, depth[i] ?? 0]));
    return {
      enabled: config.enabled,
      leader: dispatcher.isLeader,
      reachable: gateway?.reachable ?? null,
      latencyMs: gateway?.lastLatencyMs ?? null,
      ports: { registered: dispatcher.pacer.registered.length, total: dispatcher.portsTotal, active: dispatcher.pacer.registered },
      queue,
      circuit: {
        state: dispatcher.circuit.state,
        consecutiveFailures: dispatcher.circuit.consecutiveFailures,
        openUntil: dispatcher.circuit.openUntilMs === null ? null : new Date(dispatcher.circuit.openUntilMs).toISOString(),
      },
      lastSuccessfulSendAt: dispatcher.lastSuccessfulSendAt,
    };
  }
}

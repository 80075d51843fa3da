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
    const rows = await this.runtime.db.query<{ lane: number; state: string; n: string }>(
      `SELECT lane, state, count(*) AS n FROM "${this.runtime.schema}".messages WHERE state IN ('queued', 'assigned') GROUP BY lane, state`,
    );
    const queue = Object.fromEntries(LANES.map((l, i) => [l, rows.filter((r) => r.lane === i).reduce((a, r) => a + Number(r.n), 0)]));
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

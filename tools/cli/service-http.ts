import { CliError, describe } from './cli-errors';
import { startHint, type CliConfig, type ServiceName } from './cli-config';

/** A JSON call to one service; unreachable services and non-2xx answers become {@link CliError}s that name the URL. */
export async function callService<T>(
  config: CliConfig,
  service: ServiceName,
  route: string,
  init: { method?: 'GET' | 'POST'; timeoutMs?: number } = {},
): Promise<T> {
  const url = `${config.services[service]}${route}`;
  let res: Response;
  try {
    res = await fetch(url, { method: init.method ?? 'GET', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
  } catch (err) {
    const flag = `--${service}-url`;
    throw new CliError(`${service} does not answer at ${url}: ${describe(err)}.\n${startHint(config)} (override: ${flag} or ${service.toUpperCase().replace('-', '_')}_URL)`);
  }
  const text = await res.text();
  if (!res.ok) {
    throw new CliError(`${service} answered ${res.status} ${res.statusText} to ${init.method ?? 'GET'} ${url}: ${text.slice(0, 300) || '(empty body)'}`);
  }
  try {
    return (text ? JSON.parse(text) : null) as T;
  } catch {
    throw new CliError(`${service} answered ${init.method ?? 'GET'} ${url} with something that is not JSON: ${text.slice(0, 120)}`);
  }
}

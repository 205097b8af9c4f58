import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../log';

export type CheckResult = { ok: boolean; detail: string };

export interface HealthChecks {
  /** Each dependency by name: database, redis, imap, smtp. */
  readiness: Record<string, () => Promise<CheckResult>>;
  /** False when the IMAP loop has been stuck longer than allowed. */
  liveness: () => CheckResult;
}

const CHECK_TIMEOUT_MS = 3_000;

async function runCheck(check: () => Promise<CheckResult>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: 'timed out' }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      check().catch((err: Error) => ({ ok: false, detail: err.message })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz (liveness), /readyz (each dependency) and /metrics (Prometheus). */
export function startHealthServer(
  host: string,
  port: number,
  checks: HealthChecks,
  log: Logger,
): { server: Server; registry: Registry; close(): Promise<void> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      if (req.url === '/healthz') {
        const live = checks.liveness();
        return reply(live.ok ? 200 : 503, live);
      }
      if (req.url === '/readyz') {
        const names = Object.keys(checks.readiness);
        const results = await Promise.all(names.map((n) => runCheck(checks.readiness[n])));
        const body = Object.fromEntries(names.map((n, i) => [n, results[i]]));
        return reply(results.every((r) => r.ok) ? 200 : 503, body);
      }
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType });
        return res.end(await registry.metrics());
      }
      reply(404, { error: 'not found' });
    })().catch((err: Error) => {
      log.warn({ err }, 'health request failed');
      reply(500, { error: 'internal error' });
    });
  });
  server.listen(port, host);
  return {
    server,
    registry,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

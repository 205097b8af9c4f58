import { Counter, Gauge, type Registry } from 'prom-client';
import type { Desk } from '../requests/desk';
import { OPEN_STATUSES } from '../requests/transitions';

/** The service's own metrics; gauges are read from PostgreSQL when scraped. */
export function createServiceMetrics(desk: Desk, targetWorkingMinutes: number) {
  const inbound = new Counter({
    name: 'ams_inbound_messages_total',
    help: 'Inbound messages decided by this process, by outcome',
    labelNames: ['outcome'],
    registers: [],
  });
  const emails = new Counter({
    name: 'ams_emails_total',
    help: 'Send attempts by this process, by outcome',
    labelNames: ['outcome'],
    registers: [],
  });
  const byStatus = new Gauge({
    name: 'ams_requests',
    help: 'Requests by status',
    labelNames: ['status'],
    registers: [],
    async collect() {
      const rows: Array<{ status: string; n: string }> = await desk.dataSource.query(
        `SELECT status, count(*) AS n FROM unlock_requests GROUP BY status`,
      );
      for (const row of rows) this.set({ status: row.status }, Number(row.n));
    },
  });
  const openAge = new Gauge({
    name: 'ams_open_requests_working_minutes',
    help: 'Open requests: the oldest one in working minutes, and how many passed the target',
    labelNames: ['measure'],
    registers: [],
    async collect() {
      const rows: Array<{ received_at: Date }> = await desk.dataSource.query(
        `SELECT received_at FROM unlock_requests WHERE status = ANY($1)`,
        [OPEN_STATUSES],
      );
      const now = desk.now();
      const ages = rows.map((r) => desk.calendar.workingMinutesBetween(r.received_at, now));
      this.set({ measure: 'oldest' }, Math.max(0, ...ages));
      this.set({ measure: 'over_target' }, ages.filter((a) => a > targetWorkingMinutes).length);
    },
  });

  return {
    inbound,
    emails,
    register(registry: Registry): void {
      registry.registerMetric(inbound);
      registry.registerMetric(emails);
      registry.registerMetric(byStatus);
      registry.registerMetric(openAge);
    },
  };
}

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEmail } from '../src/mail';

/*
 * Parses every corpus message N times and prints, per message, the mean, median and 99th
 * percentile in milliseconds. Usage (after `npx tsc -p tsconfig.build.json`):
 *   node dist/scripts/bench-parse.js [runs=200] [corpus dir]
 */

const runs = Number(process.argv[2] ?? 200);
const dir = resolve(process.argv[3] ?? join(__dirname, '../../test/fixtures/corpus'));
const ctx = { supportAddress: 'support@ams-support.example' };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function timeOne(raw: Buffer): Promise<number[]> {
  for (let i = 0; i < 20; i++) await parseEmail(raw, ctx);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await parseEmail(raw, ctx);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort();
  const all: number[] = [];
  const write = (line: string) => process.stdout.write(line + '\n');
  write(`runs per message: ${runs}`);
  write('message'.padEnd(44) + 'mean ms'.padStart(9) + 'p50 ms'.padStart(9) + 'p99 ms'.padStart(9));

  for (const file of files) {
    const times = await timeOne(readFileSync(join(dir, file)));
    all.push(...times);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const cells = [mean, percentile(times, 50), percentile(times, 99)];
    write(file.padEnd(44) + cells.map((n) => n.toFixed(3).padStart(9)).join(''));
  }

  all.sort((a, b) => a - b);
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const cells = [mean, percentile(all, 50), percentile(all, 99)];
  write('all'.padEnd(44) + cells.map((n) => n.toFixed(3).padStart(9)).join(''));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

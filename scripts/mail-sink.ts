import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/*
 * A local SMTP server for development: it accepts every email and writes it to a folder as
 * an .eml file, so the emails the service sends can be read without a real mail system.
 *   node dist/scripts/mail-sink.js [PORT] [FOLDER] [HOST]
 */
const port = Number(process.argv[2] ?? 1025);
const folder = process.argv[3] ?? join(process.cwd(), '.run', 'sent-mail');
const host = process.argv[4] ?? '127.0.0.1';
mkdirSync(folder, { recursive: true });

let count = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  disableReverseLookup: true,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      count += 1;
      const to = session.envelope.rcptTo.map((r) => r.address).join(',');
      const file = join(folder, `${Date.now()}-${count}.eml`);
      writeFileSync(file, Buffer.concat(chunks));
      process.stderr.write(`[mail-sink] email to ${to} saved as ${file}\n`);
      callback();
    });
  },
});
// A client that drops its connection (a killed service) must not stop the sink.
server.on('error', (err) => process.stderr.write(`[mail-sink] ${err.message}\n`));
server.listen(port, host, () => {
  process.stderr.write(`[mail-sink] listening on ${host}:${port}, saving to ${folder}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

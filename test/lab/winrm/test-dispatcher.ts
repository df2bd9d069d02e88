/**
 * A tiny Dispatcher for the WinRM tests (the real one is src/lab/powershell/): a handful of
 * commands with easily checked behaviour.
 *   hostname            → the host name, exit 0
 *   echo ARGS…          → the arguments joined by spaces
 *   cat                 → stdin echoed back as it arrives; exit 0 at EOF
 *   lines               → for each stdin line "X", prints "ok X"; exit 0 at EOF (resident-style)
 *   discard             → counts stdin bytes and prints the count and SHA-256 at EOF
 *   sleep N             → prints "slept N" after N seconds
 *   bigout N            → prints N bytes (a repeating pattern) in 64 KiB writes
 *   exit N              → exit code N (parsed as an unsigned number)
 *   stderr TEXT         → TEXT on stderr, exit 1
 * Anything else: cmd.exe's "is not recognized" message on stderr, exit 1.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher, LabHostRef, LabProcess, LabProcessOutput } from '../../../src/lab/dispatcher.js';

export function bigPattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 10)) & 0xff;
  return b;
}

export interface TestDispatcherLog {
  started: Array<{ host: string; command: string; args: string[] }>;
  terminated: number;
}

export function testDispatcher(log: TestDispatcherLog = { started: [], terminated: 0 }): Dispatcher & { log: TestDispatcherLog } {
  return {
    log,
    start(host: LabHostRef, command: string, args: string[], out: LabProcessOutput): LabProcess {
      log.started.push({ host: host.name, command, args });
      const words = args.join(' ').split(/\s+/).filter(Boolean);
      const nothing: LabProcess = { stdin: () => undefined, terminate: () => log.terminated++ };
      switch (command.toLowerCase()) {
        case 'hostname':
          out.stdout(Buffer.from(`${host.name}\r\n`));
          out.exit(0);
          return nothing;
        case 'echo':
          out.stdout(Buffer.from(`${args.join(' ')}\r\n`));
          out.exit(0);
          return nothing;
        case 'exit':
          out.exit(Number(words[0] ?? 0));
          return nothing;
        case 'stderr':
          out.stderr(Buffer.from(args.join(' ')));
          out.exit(1);
          return nothing;
        case 'cat':
          return {
            stdin: (chunk, end) => {
              if (chunk.length) out.stdout(chunk);
              if (end) out.exit(0);
            },
            terminate: () => log.terminated++,
          };
        case 'lines': {
          let pending = '';
          return {
            stdin: (chunk, end) => {
              pending += chunk.toString('utf8');
              let nl: number;
              while ((nl = pending.indexOf('\n')) >= 0) {
                out.stdout(Buffer.from(`ok ${pending.slice(0, nl)}\n`));
                pending = pending.slice(nl + 1);
              }
              if (end) out.exit(0);
            },
            terminate: () => log.terminated++,
          };
        }
        case 'discard': {
          let n = 0;
          const h = createHash('sha256');
          return {
            stdin: (chunk, end) => {
              n += chunk.length;
              h.update(chunk);
              if (end) {
                out.stdout(Buffer.from(`${n} ${h.digest('hex')}\r\n`));
                out.exit(0);
              }
            },
            terminate: () => log.terminated++,
          };
        }
        case 'sleep': {
          const timer = setTimeout(() => {
            out.stdout(Buffer.from(`slept ${words[0]}\r\n`));
            out.exit(0);
          }, Number(words[0] ?? 1) * 1000);
          return {
            stdin: () => undefined,
            terminate: () => {
              clearTimeout(timer);
              log.terminated++;
            },
          };
        }
        case 'bigout': {
          const data = bigPattern(Number(words[0] ?? 0));
          for (let i = 0; i < data.length; i += 65536) out.stdout(data.subarray(i, i + 65536));
          out.exit(0);
          return nothing;
        }
        default:
          out.stderr(
            Buffer.from(`'${command}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`),
          );
          out.exit(1);
          return nothing;
      }
    },
  };
}

// The program the Session contract suite runs on the far side of every transport: behind the lab's
// SSH endpoint (as a Dispatcher), as the local transport's fake pwsh (fake-pwsh.mjs), behind the lab
// WinRM server, and inside in-memory fakes. Plain JavaScript with only Node built-ins so a child
// process can run it without a TypeScript loader.
//
// Invocation: powershell.exe -NoProfile -NonInteractive -Command <verb> [args...]
//   echo WORDS…   print WORDS and a newline            exit N       end with exit code N
//   stderr WORDS… print WORDS to stderr                cat          copy stdin to stdout until EOF
//   count         on EOF print "<bytes> <sha256 hex>"  big N        print N bytes of the pattern below
//   sleep MS      end after MS milliseconds            handshake    print "ready", wait for a stdin line, print "got <line>"
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { clearTimeout, setTimeout } from 'node:timers';

/** Byte i of `big` output: i mod 251 (a prime, so chunk boundaries never line up with the pattern). */
export function patternBytes(offset, length) {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (offset + i) % 251;
  return b;
}

export function contractWords(args) {
  const i = args.findIndex((a) => a.toLowerCase() === '-command');
  return i >= 0 ? args.slice(i + 1) : args;
}

/**
 * Start the program. `out` is { stdout(buf), stderr(buf), exit(code) } (the lab's LabProcessOutput);
 * returns { stdin(chunk, end), terminate() } (the lab's LabProcess).
 */
export function startContractProgram(args, out) {
  const [verb, ...rest] = contractWords(args);
  let done = false;
  const timers = new Set();
  const exit = (code) => {
    if (done) return;
    done = true;
    for (const t of timers) clearTimeout(t);
    out.exit(code);
  };
  const later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  let onStdin = () => undefined;

  switch (verb) {
    case 'echo':
      out.stdout(Buffer.from(`${rest.join(' ')}\n`));
      later(0, () => exit(0));
      break;
    case 'stderr':
      out.stderr(Buffer.from(`${rest.join(' ')}\n`));
      later(0, () => exit(0));
      break;
    case 'exit':
      later(0, () => exit(Number(rest[0] ?? 0)));
      break;
    case 'cat':
      onStdin = (chunk, end) => {
        if (chunk.length > 0) out.stdout(Buffer.from(chunk));
        if (end) exit(0);
      };
      break;
    case 'count': {
      const hash = createHash('sha256');
      let bytes = 0;
      onStdin = (chunk, end) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (end) {
          out.stdout(Buffer.from(`${bytes} ${hash.digest('hex')}\n`));
          exit(0);
        }
      };
      break;
    }
    case 'big': {
      const total = Number(rest[0] ?? 0);
      let sent = 0;
      const step = () => {
        if (done) return;
        const n = Math.min(65536, total - sent);
        if (n > 0) out.stdout(patternBytes(sent, n));
        sent += n;
        if (sent >= total) exit(0);
        else later(0, step);
      };
      later(0, step);
      break;
    }
    case 'sleep':
      later(Number(rest[0] ?? 0), () => exit(0));
      break;
    case 'handshake': {
      out.stdout(Buffer.from('ready\n'));
      let line = '';
      onStdin = (chunk, end) => {
        line += Buffer.from(chunk).toString('utf8');
        const nl = line.indexOf('\n');
        if (nl >= 0) {
          out.stdout(Buffer.from(`got ${line.slice(0, nl).replace(/\r$/, '')}\n`));
          exit(0);
        } else if (end) exit(2);
      };
      break;
    }
    default:
      out.stderr(Buffer.from(`contract program: unknown verb ${JSON.stringify(verb)}\n`));
      later(0, () => exit(1));
  }

  return {
    stdin(chunk, end) {
      if (!done) onStdin(chunk, end);
    },
    terminate() {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
    },
  };
}

/** The program as a lab Dispatcher (src/lab/dispatcher.ts): every command runs it. */
export const contractDispatcher = {
  start(_host, _command, args, out) {
    return startContractProgram(args, out);
  },
};

/**
 * The Session contract: what every transport (lab SSH, lab WinRM, local, in-memory fakes) must do,
 * as one parameterised vitest suite. Instantiate it from a `*.test.ts`:
 *
 *     describeSessionContract('ssh (lab sshd)', async () => ({ session, cleanup }), { largeExitCodes: false, ... });
 *
 * The far side must run test/transport/contract-program.mjs for every command (for the lab
 * endpoints: pass `contractDispatcher` as the Dispatcher). Commands are spelled
 * `powershell.exe -NoProfile -NonInteractive -Command <verb> <args…>`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CortexError, type ErrorKind } from '../../src/errors.js';
import { runToCompletion, type ProcessSpec, type RemoteProcess, type Session } from '../../src/transport/session.js';
import { patternBytes } from './contract-program.mjs';

export interface ContractTarget {
  session: Session;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** The transport carries a full 32-bit exit code (WinRS does; a POSIX sshd only 0–255). */
  largeExitCodes: boolean;
  /** Several processes may run at once on one session. */
  concurrentSpawns: boolean;
  /** Open a session to a host that is down: must reject with a CortexError of one of `deadKinds`. */
  openDead?: () => Promise<Session>;
  /** Default ['unreachable']. */
  deadKinds?: ErrorKind[];
  /**
   * For a transport with its own file transfer (putFile): where an upload may go, and how the test
   * reads back what the far side received. Required when the session has putFile.
   */
  uploads?: { remotePath(name: string): string; read(remotePath: string): Promise<Buffer | undefined> };
}

export function program(verb: string, ...args: string[]): ProcessSpec {
  return { command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', verb, ...args] };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Collect a process's output; resolves when it exits. */
async function collect(proc: RemoteProcess): Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.on('stdout', (c) => out.push(c));
  proc.on('stderr', (c) => err.push(c));
  const { exitCode } = await proc.exit;
  return { exitCode, stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

export function describeSessionContract(name: string, factory: () => Promise<ContractTarget>, options: ContractOptions): void {
  describe(`Session contract: ${name}`, () => {
    let target: ContractTarget;
    let session: Session;
    beforeAll(async () => {
      target = await factory();
      session = target.session;
    });
    afterAll(async () => {
      await target?.cleanup();
    });

    it('runs a command and reports exit code 0 with its output', async () => {
      const r = await runToCompletion(session, program('echo', 'hello', 'contract'), { timeoutMs: 20_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.toString('utf8').replace(/\r\n/g, '\n')).toBe('hello contract\n');
      expect(r.stderr.length).toBe(0);
    });

    it('reports a non-zero exit code', async () => {
      const r = await runToCompletion(session, program('exit', '3'), { timeoutMs: 20_000 });
      expect(r.exitCode).toBe(3);
    });

    it(`reports a large DWORD exit code ${options.largeExitCodes ? 'exactly' : 'as the transport can (low byte)'}`, async () => {
      const r = await runToCompletion(session, program('exit', '3221225477'), { timeoutMs: 20_000 });
      expect(r.exitCode).toBe(options.largeExitCodes ? 3221225477 : 3221225477 & 0xff);
    });

    it('keeps stderr apart from stdout', async () => {
      const r = await runToCompletion(session, program('stderr', 'to', 'stderr'), { timeoutMs: 20_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.length).toBe(0);
      expect(r.stderr.toString('utf8')).toContain('to stderr');
    });

    it('streams output while the process runs (listeners see it before exit)', async () => {
      const proc = await session.spawn(program('handshake'));
      const events: string[] = [];
      let sawReady!: () => void;
      const ready = new Promise<void>((r) => (sawReady = r));
      // One listener for everything: listeners registered before output arrives see all of it.
      proc.on('stdout', (c) => {
        events.push(`out:${c.toString('utf8')}`);
        if (events.join('').includes('ready\n')) sawReady();
      });
      void proc.exit.then(() => events.push('exit'));
      // The program only ends after we answer its "ready": seeing it proves streaming.
      await ready;
      expect(events).not.toContain('exit');
      await proc.write(Buffer.from('ping\n'));
      const { exitCode } = await proc.exit;
      expect(exitCode).toBe(0);
      expect(events.filter((e) => e !== 'exit').join('').replace(/out:/g, '')).toBe('ready\ngot ping\n');
      expect(events.at(-1)).toBe('exit');
    });

    it('closeStdin gives the process EOF, and is idempotent', async () => {
      const proc = await session.spawn(program('cat'));
      const done = collect(proc);
      await proc.write(Buffer.from('abc'));
      await proc.write(Buffer.from('def\n'));
      await proc.closeStdin();
      await proc.closeStdin();
      const r = await done;
      expect(r.exitCode).toBe(0);
      expect(r.stdout.toString('utf8')).toBe('abcdef\n');
    });

    it('round-trips binary stdin byte for byte', async () => {
      const data = randomBytes(256 * 1024);
      const r = await runToCompletion(session, program('cat'), { stdin: data, timeoutMs: 30_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.length).toBe(data.length);
      expect(r.stdout.equals(data)).toBe(true);
    });

    it('takes 1 MB on stdin', async () => {
      const data = randomBytes(1024 * 1024);
      const r = await runToCompletion(session, program('count'), { stdin: data, timeoutMs: 30_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.toString('utf8').trim()).toBe(`${data.length} ${sha256(data)}`);
    });

    it('delivers 10 MB of stdout complete and in order', async () => {
      const size = 10 * 1024 * 1024;
      const r = await runToCompletion(session, program('big', String(size)), { timeoutMs: 60_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.length).toBe(size);
      expect(sha256(r.stdout)).toBe(sha256(patternBytes(0, size)));
    });

    it('uploads a file: with putFile when the transport has one, else through a process\'s stdin (as the runner does)', async () => {
      const content = randomBytes(3 * 1024 * 1024 + 5);
      if (session.putFile) {
        const uploads = options.uploads;
        if (!uploads) throw new Error(`${name}: the session has putFile, but the contract target gives no options.uploads to read files back`);
        const dir = mkdtempSync(join(tmpdir(), 'cortex-contract-upload-'));
        try {
          const local = join(dir, 'payload.bin');
          writeFileSync(local, content);
          const remote = uploads.remotePath('payload.bin');
          await session.putFile(local, remote);
          const received = await uploads.read(remote);
          expect(received?.length).toBe(content.length);
          expect(received?.equals(content)).toBe(true);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      } else {
        // What ScriptRunner.upload does without putFile: the bytes through a process's stdin, checked by SHA-256.
        const r = await runToCompletion(session, program('count'), { stdin: content, timeoutMs: 60_000 });
        expect(r.stdout.toString('utf8').trim()).toBe(`${content.length} ${sha256(content)}`);
      }
    }, 90_000);

    it('terminate ends a long-running command', async () => {
      const proc = await session.spawn(program('sleep', '600000'));
      const settled = proc.exit.then(
        (s) => ({ ok: true as const, exitCode: s.exitCode }),
        (e: unknown) => ({ ok: false as const, error: e }),
      );
      await proc.terminate();
      await proc.terminate(); // idempotent
      const outcome = await settled;
      if (outcome.ok) expect(outcome.exitCode).not.toBe(0);
      else expect(outcome.error).toBeInstanceOf(CortexError);
      // The session is still usable afterwards.
      const r = await runToCompletion(session, program('echo', 'after'), { timeoutMs: 20_000 });
      expect(r.stdout.toString('utf8').trim()).toBe('after');
    });

    it('runToCompletion times out, terminates, and rejects with a timeout error', async () => {
      const err = await runToCompletion(session, program('sleep', '600000'), { timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CortexError);
      expect((err as CortexError).kind).toBe('timeout');
      expect((err as CortexError).message).toContain(session.host.name);
    });

    if (options.concurrentSpawns) {
      it('runs several processes at once on one session', async () => {
        const runs = await Promise.all(
          ['a', 'b', 'c', 'd'].map((w) => runToCompletion(session, program('echo', w), { timeoutMs: 20_000 })),
        );
        expect(runs.map((r) => r.stdout.toString('utf8').trim())).toEqual(['a', 'b', 'c', 'd']);
        const cats = await Promise.all(
          [1, 2, 3].map((n) => runToCompletion(session, program('cat'), { stdin: patternBytes(n, 100_000 * n), timeoutMs: 30_000 })),
        );
        cats.forEach((r, i) => expect(r.stdout.equals(patternBytes(i + 1, 100_000 * (i + 1)))).toBe(true));
      });
    }

    it('close is idempotent, and a closed session refuses to spawn', async () => {
      const own = await factory();
      try {
        const r = await runToCompletion(own.session, program('echo', 'x'), { timeoutMs: 20_000 });
        expect(r.exitCode).toBe(0);
        await own.session.close();
        await own.session.close();
        await expect(own.session.spawn(program('echo', 'y'))).rejects.toBeInstanceOf(Error);
      } finally {
        await own.cleanup();
      }
    });

    if (options.openDead) {
      const openDead = options.openDead;
      it('a host that is down is reported as an error of its kind, naming the host', async () => {
        const err = await openDead().then(
          async (s) => {
            // Transports that connect lazily fail on first use.
            try {
              await runToCompletion(s, program('echo', 'x'), { timeoutMs: 10_000 });
              return null;
            } catch (e) {
              return e;
            } finally {
              await s.close();
            }
          },
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(CortexError);
        expect(options.deadKinds ?? ['unreachable']).toContain((err as CortexError).kind);
      });
    }
  });
}

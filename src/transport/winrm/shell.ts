/**
 * The session's WinRS shell(s): Create once and reuse, Command, Send, Receive, Signal, Delete
 * (MS-WSMV). A shell is recycled — a new one created, the old one deleted once its running
 * commands end — when the service reports it gone (UnexpectedSelectors) or a quota exhausted
 * (Ansible recreates on the operation quota). Every shell is deleted at session close.
 */
import type { HostRef } from '../session.js';
import {
  buildRequest,
  commandBody,
  createShellBody,
  newMessageId,
  readCommandId,
  readReceiveResponse,
  readShellId,
  receiveBody,
  SEND_OVERHEAD_BYTES,
  sendBody,
  signalBody,
  type ReceiveResult,
} from '../../protocol/wsman/messages.js';
import { Action, FaultCode, Signal } from '../../protocol/wsman/namespaces.js';
import type { EnvelopePart } from '../../protocol/wsman/envelope-bytes.js';
import type { WsmanChannel } from './channel.js';
import { EnvelopeTooLargeError, WsmanFaultError } from './errors.js';

export interface ShellOptions {
  /** WS-Man OperationTimeout for requests other than Receive. */
  operationTimeoutMs: number;
  /** The service's MaxEnvelopeSizekb: sizes our Send requests. */
  maxEnvelopeSizeKb: number;
  /** Largest response we accept (`w:MaxEnvelopeSize`). */
  maxResponseEnvelopeBytes: number;
}

export interface ShellHandle {
  readonly id: string;
  /** Commands started in it and not yet ended. */
  active: number;
  /** Replaced by a newer shell: deleted when `active` reaches 0. */
  retired: boolean;
}

/** WinRM's smallest MaxEnvelopeSizekb (pre-2012 hosts); we fall back to it after a 413. */
const MIN_ENVELOPE_KB = 150;
/** Resends of a Send refused with ERROR_BUSY (170), with a growing pause. */
const BUSY_RETRIES = 3;
const BUSY_BACKOFF_MS = 500;
/**
 * A shell's Delete is tried twice: one left behind counts against the host's per-user shell limit until
 * its idle timeout, and a transient failure (an HTTP 500, a dropped connection) is the common cause.
 */
const DELETE_ATTEMPTS = 2;
const DELETE_RETRY_MS = 200;
/** Multipart framing and signature around a sealed envelope. */
const ENCRYPTION_OVERHEAD_BYTES = 512;

const RECYCLE_CODES = new Set<number>([FaultCode.UnexpectedSelectors, FaultCode.QuotaMaxOperations, FaultCode.QuotaMaxShells]);

export function isRecyclingFault(e: unknown): boolean {
  return e instanceof WsmanFaultError && e.fault.wsmanCode !== null && RECYCLE_CODES.has(e.fault.wsmanCode);
}

export function isTimedOutFault(e: unknown): boolean {
  return e instanceof WsmanFaultError && e.fault.wsmanCode === FaultCode.OperationTimedOut;
}

/** Raw stdin bytes that fit one Send envelope of `envelopeKb`. */
export function sendChunkBytes(envelopeKb: number): number {
  const room = envelopeKb * 1024 - SEND_OVERHEAD_BYTES - ENCRYPTION_OVERHEAD_BYTES;
  return Math.max(3, Math.floor(room / 4) * 3);
}

/** A Send refused with 413 even at the smallest envelope we send: the host's limit is below it. */
function envelopeFloorRefused(host: string, envelopeKb: number, cause: EnvelopeTooLargeError): EnvelopeTooLargeError {
  return new EnvelopeTooLargeError(
    `WinRM refused stdin as too large (HTTP 413) even in ${envelopeKb} KB envelopes, the smallest standard MaxEnvelopeSizekb: the host's limit is lower`,
    { host, hint: 'Raise it on the host to 500 (the Windows default): Set-Item WSMan:\\localhost\\MaxEnvelopeSizekb -Value 500.' },
    { cause },
  );
}

const EMPTY = new Uint8Array(0);
const STREAM_END = '</rsp:Stream>';

/**
 * A Send envelope built with an empty stream, as parts with `data` in the stream: its base64 is then
 * written straight into the request body (envelope-bytes.ts) instead of living as a large string.
 */
export function withStdin(xml: string, data: Uint8Array): EnvelopePart[] {
  const at = xml.lastIndexOf(STREAM_END);
  if (at < 0) throw new Error('Send envelope without an rsp:Stream');
  return [xml.slice(0, at), { base64: data }, xml.slice(at)];
}

export class WinrsShells {
  private current: ShellHandle | null = null;
  private readonly all = new Set<ShellHandle>();
  /** Deletes in flight (deleteShell), awaited by deleteAll. */
  private readonly deleting = new Set<Promise<void>>();
  private envelopeKb: number;
  private creating: Promise<ShellHandle> | null = null;

  constructor(
    private readonly host: HostRef,
    private readonly channel: WsmanChannel,
    private readonly opts: ShellOptions,
  ) {
    this.envelopeKb = opts.maxEnvelopeSizeKb;
  }

  get shellCount(): number {
    return this.all.size;
  }

  private request(action: string, body: string, extra: { shellId?: string; options?: Record<string, string>; operationTimeoutMs?: number }) {
    const messageId = newMessageId();
    const xml = buildRequest(
      {
        to: this.channel.url,
        action,
        messageId,
        maxEnvelopeSize: this.opts.maxResponseEnvelopeBytes,
        operationTimeoutMs: extra.operationTimeoutMs ?? this.opts.operationTimeoutMs,
        ...(extra.shellId ? { shellId: extra.shellId } : {}),
        ...(extra.options ? { options: extra.options } : {}),
      },
      body,
    );
    return { messageId, xml };
  }

  /** The shell new commands go to, created on first use. */
  acquire(timeoutMs: number): Promise<ShellHandle> {
    if (this.current) return Promise.resolve(this.current);
    if (!this.creating) {
      this.creating = this.create(timeoutMs).finally(() => {
        this.creating = null;
      });
    }
    return this.creating;
  }

  private async create(timeoutMs: number): Promise<ShellHandle> {
    const { body, options } = createShellBody({ codepage: 65001, noProfile: true });
    const req = this.request(Action.Create, body, { options });
    const env = await this.channel.exchange(req.xml, {
      what: 'Create shell',
      messageId: req.messageId,
      expectAction: Action.CreateResponse,
      timeoutMs,
      idempotent: true,
    });
    const handle: ShellHandle = { id: readShellId(env), active: 0, retired: false };
    this.all.add(handle);
    this.current = handle;
    return handle;
  }

  /** Start a command; recycles the shell once when the service says it is gone or over quota. */
  async command(command: string, args: string[], timeoutMs: number): Promise<{ shell: ShellHandle; commandId: string }> {
    for (let attempt = 0; ; attempt++) {
      const shell = await this.acquire(timeoutMs);
      const { body, options } = commandBody(command, args);
      const req = this.request(Action.Command, body, { shellId: shell.id, options });
      try {
        const env = await this.channel.exchange(req.xml, {
          what: 'Command',
          messageId: req.messageId,
          expectAction: Action.CommandResponse,
          timeoutMs,
          idempotent: false,
        });
        shell.active++;
        return { shell, commandId: readCommandId(env) };
      } catch (e) {
        if (attempt === 0 && isRecyclingFault(e)) {
          const gone = (e as WsmanFaultError).fault.wsmanCode === FaultCode.UnexpectedSelectors;
          this.retire(shell, gone, timeoutMs);
          continue;
        }
        throw e;
      }
    }
  }

  /** Stop sending new commands to `shell`; delete it now if idle (or forget it if the host lost it). */
  private retire(shell: ShellHandle, gone: boolean, timeoutMs: number): void {
    if (this.current === shell) this.current = null;
    shell.retired = true;
    if (gone) {
      this.all.delete(shell);
      return;
    }
    if (shell.active === 0) void this.deleteShell(shell, timeoutMs).catch(() => undefined);
  }

  /** A command of `shell` ended (after its Signal). */
  release(shell: ShellHandle, timeoutMs: number): void {
    shell.active = Math.max(0, shell.active - 1);
    if (shell.retired && shell.active === 0 && this.all.has(shell)) void this.deleteShell(shell, timeoutMs).catch(() => undefined);
  }

  /** Send stdin in envelopes that fit the service's limit; `end` goes on the last one. */
  async send(shell: ShellHandle, commandId: string, data: Buffer, end: boolean, timeoutMs: number): Promise<void> {
    let offset = 0;
    let busyRetries = 0;
    do {
      const size = sendChunkBytes(this.envelopeKb);
      const chunk = data.subarray(offset, offset + size);
      const last = offset + chunk.length >= data.length;
      const req = this.request(Action.Send, sendBody(commandId, EMPTY, end && last), { shellId: shell.id });
      try {
        await this.channel.exchange(withStdin(req.xml, chunk), {
          what: 'Send',
          messageId: req.messageId,
          expectAction: Action.SendResponse,
          timeoutMs,
          idempotent: false,
        });
      } catch (e) {
        if (e instanceof EnvelopeTooLargeError) {
          // The service refused the envelope unread: shrink to the smallest standard limit and resend.
          if (this.envelopeKb > MIN_ENVELOPE_KB) {
            this.envelopeKb = MIN_ENVELOPE_KB;
            continue;
          }
          throw envelopeFloorRefused(this.host.name, this.envelopeKb, e);
        }
        // ERROR_BUSY: the previous input is still being processed; back off and resend (as Ansible does).
        if (e instanceof WsmanFaultError && e.fault.wsmanCode === FaultCode.Busy && busyRetries < BUSY_RETRIES) {
          busyRetries++;
          await new Promise((r) => setTimeout(r, BUSY_BACKOFF_MS * busyRetries));
          continue;
        }
        throw e;
      }
      busyRetries = 0;
      offset += chunk.length;
    } while (offset < data.length);
  }

  /** One long poll. Null when the service's OperationTimeout expired with nothing to report. */
  async receive(shell: ShellHandle, commandId: string, pollMs: number, timeoutMs: number, tag?: object): Promise<ReceiveResult | null> {
    const req = this.request(Action.Receive, receiveBody(commandId), {
      shellId: shell.id,
      operationTimeoutMs: pollMs,
      options: { WSMAN_CMDSHELL_OPTION_KEEPALIVE: 'TRUE' },
    });
    try {
      const env = await this.channel.exchange(req.xml, {
        what: 'Receive',
        messageId: req.messageId,
        expectAction: Action.ReceiveResponse,
        // The HTTP wait must outlast the service's long poll.
        timeoutMs: pollMs + timeoutMs,
        idempotent: false,
        ...(tag ? { tag } : {}),
      });
      return readReceiveResponse(env);
    } catch (e) {
      if (isTimedOutFault(e)) return null;
      throw e;
    }
  }

  /** End the Receive that `tag` has in flight, if any (see WsmanChannel.abort). */
  abortReceive(tag: object): void {
    this.channel.abort(tag);
  }

  async signal(shell: ShellHandle, commandId: string, timeoutMs: number): Promise<void> {
    const req = this.request(Action.Signal, signalBody(commandId, Signal.Terminate), { shellId: shell.id });
    await this.channel.exchange(req.xml, {
      what: 'Signal',
      messageId: req.messageId,
      expectAction: Action.SignalResponse,
      timeoutMs,
      idempotent: true,
    });
  }

  private deleteShell(shell: ShellHandle, timeoutMs: number): Promise<void> {
    this.all.delete(shell);
    if (this.current === shell) this.current = null;
    const p = this.sendDelete(shell, timeoutMs);
    // deleteAll waits for it: the session must not close the connection under a Delete's second try.
    const tracked = p.catch(() => undefined).finally(() => this.deleting.delete(tracked));
    this.deleting.add(tracked);
    return p;
  }

  private async sendDelete(shell: ShellHandle, timeoutMs: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const req = this.request(Action.Delete, '', { shellId: shell.id });
      try {
        await this.channel.exchange(req.xml, {
          what: 'Delete shell',
          messageId: req.messageId,
          expectAction: Action.DeleteResponse,
          timeoutMs,
          idempotent: true,
        });
        return;
      } catch (e) {
        // A WS-Man fault is the service's answer (the shell is gone, say): asking again changes nothing.
        if (attempt >= DELETE_ATTEMPTS || e instanceof WsmanFaultError) throw e;
        await new Promise((r) => setTimeout(r, DELETE_RETRY_MS));
      }
    }
  }

  /** Delete every shell (session close). Errors are ignored: the host frees them on its IdleTimeout. */
  async deleteAll(timeoutMs: number): Promise<void> {
    const shells = [...this.all];
    this.current = null;
    for (const s of shells) {
      try {
        await this.deleteShell(s, timeoutMs);
      } catch {
        // Best effort: the connection may be gone; the shell then dies with the host's IdleTimeout.
      }
    }
    // Deletes started earlier (a retired shell's) end before the caller closes the connection.
    await Promise.all([...this.deleting]);
  }
}

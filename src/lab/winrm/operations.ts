/**
 * The WS-Man operations of the lab's WinRS service: one parsed SOAP request in, one SOAP reply
 * (200 or a 500 fault shaped like Windows's) out. Transport concerns (HTTP, authentication,
 * sealing) stay in server.ts.
 */
import type { Dispatcher, LabHostRef } from '../dispatcher.js';
import { CortexError } from '../../errors.js';
import { readCommandLine, readReceive, readRequest, readRequestBytes, readSend, readShellCreate, readSignal, type WsmanRequest } from './requests.js';
import {
  buildFault,
  commandResponse,
  createResponse,
  deleteResponse,
  receiveResponse,
  RECEIVE_OVERHEAD_BYTES,
  sendResponse,
  signalResponse,
  STREAM_ELEMENT_OVERHEAD_BYTES,
  type FaultSpec,
} from './responses.js';
import { Action, FaultCode, SHELL_RESOURCE_URI, Signal } from '../../protocol/wsman/namespaces.js';
import { parseSoap } from '../../protocol/wsman/soap.js';
import { commandLineToArgv } from '../windows/command-line.js';
import type { LabHostCounters, LabServerHooks } from './hooks.js';
import type { LabCommand, ShellTable } from './shells.js';

export interface ServiceLimits {
  maxShellsPerUser: number;
  /** MaxEnvelopeSizekb × 1024: largest request accepted and largest response sent. */
  maxEnvelopeBytes: number;
  /** MaxTimeoutms: cap on a Receive's OperationTimeout. */
  maxOperationTimeoutMs: number;
}

export interface OperationContext {
  host: LabHostRef;
  /** Machine name in faults. */
  machine: string;
  /** Authenticated account (`DOMAIN\user`), owner of the shells it creates. */
  user: string;
  clientIp: string;
  endpoint: string;
  shells: ShellTable;
  dispatcher: Dispatcher;
  limits: ServiceLimits;
  hooks: LabServerHooks | undefined;
  counters: LabHostCounters;
  /** Aborted when the client's connection closes (ends a held Receive). */
  signal: AbortSignal;
}

export interface SoapReply {
  status: 200 | 500;
  xml: string;
}

/** Default OperationTimeout when a request carries none (WinRM's default is 60 s). */
const DEFAULT_OPERATION_TIMEOUT_MS = 60_000;

/** `soap` is the envelope's text, or its bytes (then bulk stdin is decoded straight from them: readRequestBytes). */
export async function handleSoap(ctx: OperationContext, soap: string | Buffer): Promise<SoapReply> {
  let req: WsmanRequest;
  try {
    req = typeof soap === 'string' ? readRequest(parseSoap(soap, 'request')) : readRequestBytes(soap);
  } catch (e) {
    return fault(ctx, null, {
      code: 'Sender',
      subcode: 'SchemaValidationError',
      wsmanCode: FaultCode.SchemaValidationError,
      message: `The SOAP XML in the message does not match the corresponding XML schema definition. ${e instanceof CortexError ? e.detail : ''}`.trim(),
    });
  }
  try {
    return await dispatch(ctx, req);
  } catch (e) {
    if (e instanceof CortexError) {
      return fault(ctx, req.messageId, {
        code: 'Sender',
        subcode: 'SchemaValidationError',
        wsmanCode: FaultCode.SchemaValidationError,
        message: `The SOAP XML in the message does not match the corresponding XML schema definition. ${e.detail}`,
      });
    }
    return fault(ctx, req.messageId, {
      code: 'Receiver',
      subcode: 'InternalError',
      wsmanCode: 2147500037, // E_FAIL
      message: `The WS-Management service could not process the request: ${(e as Error).message}`,
    });
  }
}

async function dispatch(ctx: OperationContext, req: WsmanRequest): Promise<SoapReply> {
  const id = req.messageId;
  if (req.resourceUri !== null && req.resourceUri !== SHELL_RESOURCE_URI) {
    return fault(ctx, id, {
      code: 'Sender',
      subcode: 'DestinationUnreachable',
      wsmanCode: 2150858770,
      message: `The WS-Management service cannot process the request. The resource URI ${req.resourceUri} was not found in the WS-Management catalog.`,
    });
  }
  if (Number.isNaN(req.operationTimeoutMs)) {
    return fault(ctx, id, {
      code: 'Sender',
      subcode: 'InvalidHeader',
      wsmanCode: FaultCode.InvalidMessageInformationHeader,
      message: 'The WS-Management service cannot process the request because the OperationTimeout header is not a valid duration.',
    });
  }
  switch (req.action) {
    case Action.Create:
      return create(ctx, req);
    case Action.Delete: {
      const shell = ctx.shells.get(req.shellId);
      if (!shell) return unknownShell(ctx, req);
      ctx.shells.delete(shell.id);
      await ctx.hooks?.onShellDeleted?.(ctx.host);
      return ok(deleteResponse(id));
    }
    case Action.Command:
      return command(ctx, req);
    case Action.Send:
      return send(ctx, req);
    case Action.Receive:
      return receive(ctx, req);
    case Action.Signal: {
      const shell = ctx.shells.get(req.shellId);
      if (!shell) return unknownShell(ctx, req);
      const sig = readSignal(req.body);
      const cmd = shell.command(sig.commandId);
      if (!cmd) return unknownCommand(ctx, req, sig.commandId);
      if (/\/signal\/terminate$/i.test(sig.code) || sig.code === Signal.Terminate) {
        cmd.terminate();
        shell.commands.delete(cmd.id);
      } else if (/\/signal\/ctrl_(c|break)$/i.test(sig.code)) {
        cmd.terminate();
      }
      return ok(signalResponse(id));
    }
    default:
      return fault(ctx, id, {
        code: 'Sender',
        subcode: 'ActionNotSupported',
        wsmanCode: 2150858771,
        message: `The WS-Management service does not support the action ${req.action} for this resource.`,
      });
  }
}

function create(ctx: OperationContext, req: WsmanRequest): SoapReply {
  const shellReq = readShellCreate(req.body);
  if (ctx.shells.countFor(ctx.user) >= ctx.limits.maxShellsPerUser) {
    return fault(ctx, req.messageId, {
      code: 'Receiver',
      subcode: 'InternalError',
      wsmanCode: FaultCode.QuotaMaxShells,
      message:
        `The WS-Management service cannot process the request. This user is allowed a maximum number of ${ctx.limits.maxShellsPerUser} ` +
        'concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user.',
    });
  }
  const shell = ctx.shells.create(ctx.user, shellReq.shellId);
  ctx.counters.shells++;
  ctx.hooks?.onShellCreated?.(ctx.host);
  return ok(createResponse(req.messageId, ctx.endpoint, shell.id, ctx.user, ctx.clientIp));
}

function command(ctx: OperationContext, req: WsmanRequest): SoapReply {
  const shell = ctx.shells.get(req.shellId);
  if (!shell) return unknownShell(ctx, req);
  const cl = readCommandLine(req.body);
  ctx.counters.commands++;
  ctx.hooks?.onCommand?.(ctx.host, cl.command, cl.args);
  // WinRS joins the command and its arguments (one rsp:Arguments or many) with spaces into one
  // command line, and the process splits it again: an argument with a space arrives as two.
  const [program = '', ...args] = commandLineToArgv([cl.command, ...cl.args].join(' '));
  const cmd = shell.startCommand(ctx.host, ctx.dispatcher, program, args, cl.commandId);
  return ok(commandResponse(req.messageId, cmd.id));
}

function send(ctx: OperationContext, req: WsmanRequest): SoapReply {
  const shell = ctx.shells.get(req.shellId);
  if (!shell) return unknownShell(ctx, req);
  for (const s of readSend(req.body, req.payloads)) {
    const cmd = shell.command(s.commandId);
    if (!cmd) return unknownCommand(ctx, req, s.commandId);
    if (s.name !== 'stdin' || cmd.stdinEnded || cmd.exitCode !== null) continue;
    if (s.end) cmd.stdinEnded = true;
    cmd.process?.stdin(s.data, s.end);
  }
  return ok(sendResponse(req.messageId));
}

async function receive(ctx: OperationContext, req: WsmanRequest): Promise<SoapReply> {
  const shell = ctx.shells.get(req.shellId);
  if (!shell) return unknownShell(ctx, req);
  const r = readReceive(req.body);
  const cmd = shell.command(r.commandId);
  if (!cmd) return unknownCommand(ctx, req, r.commandId);
  const wait = Math.min(req.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS, ctx.limits.maxOperationTimeoutMs);
  await cmd.waitReady(wait, ctx.signal);
  if (!cmd.ready) {
    return fault(ctx, req.messageId, {
      code: 'Receiver',
      subcode: 'TimedOut',
      wsmanCode: FaultCode.OperationTimedOut,
      reason: 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.',
      message: 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.',
    });
  }
  return ok(receiveResponse(req.messageId, cmd.id, cmd.take(rawBudget(ctx, req)), doneState(cmd)));
}

/** Raw output bytes that fit one ReceiveResponse under the smaller of the client's and our envelope limit. */
function rawBudget(ctx: OperationContext, req: WsmanRequest): number {
  const envelope = Math.min(req.maxEnvelopeSize ?? 153_600, ctx.limits.maxEnvelopeBytes);
  // Assume a few Stream elements (stdout/stderr alternate) and base64's 4/3.
  const room = envelope - RECEIVE_OVERHEAD_BYTES - 8 * STREAM_ELEMENT_OVERHEAD_BYTES;
  return Math.max(3, Math.floor(room / 4) * 3);
}

function doneState(cmd: LabCommand): { exitCode: number } | null {
  if (cmd.exitCode === null || cmd.hasOutput) return null;
  return { exitCode: cmd.exitCode };
}

function ok(xml: string): SoapReply {
  return { status: 200, xml };
}

type FaultParts = Omit<FaultSpec, 'relatesTo' | 'machine' | 'reason'> & { reason?: string };

function fault(ctx: OperationContext, relatesTo: string | null, f: FaultParts): SoapReply {
  return {
    status: 500,
    xml: buildFault({ ...f, reason: f.reason ?? f.message, machine: ctx.machine, relatesTo: relatesTo ?? undefined }),
  };
}

function unknownShell(ctx: OperationContext, req: WsmanRequest): SoapReply {
  return fault(ctx, req.messageId, {
    code: 'Sender',
    subcode: 'InvalidSelectors',
    wsmanCode: FaultCode.UnexpectedSelectors,
    message:
      `The request for the Windows Remote Shell with ShellId ${req.shellId ?? '(none)'} failed because the shell was not found on the server. ` +
      'Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation.',
  });
}

function unknownCommand(ctx: OperationContext, req: WsmanRequest, commandId: string | null): SoapReply {
  return fault(ctx, req.messageId, {
    code: 'Sender',
    subcode: 'InvalidSelectors',
    wsmanCode: FaultCode.UnexpectedSelectors,
    message: `The request for the Windows Remote Shell with ShellId ${req.shellId ?? '(none)'} failed because the command ${commandId ?? '(none)'} was not found in the shell.`,
  });
}

/**
 * WS-Management / WinRS constants shared by the client (src/transport/winrm) and the lab server
 * (src/lab/winrm). Protocol notes: docs/winrm.md.
 */
export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  wsmv: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  transfer: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  wsmanFault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
  config: 'http://schemas.microsoft.com/wbem/wsman/1/config',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

export const SHELL_RESOURCE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
export const ANONYMOUS_ADDRESS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

export const Action = {
  Create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  CreateResponse: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse',
  Delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  DeleteResponse: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse',
  Command: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command',
  CommandResponse: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse',
  Send: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send',
  SendResponse: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse',
  Receive: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive',
  ReceiveResponse: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse',
  Signal: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal',
  SignalResponse: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse',
  WsmanFault: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
  AddressingFault: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault',
} as const;

export const CommandState = {
  Done: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done',
  Running: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running',
  Pending: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Pending',
} as const;

export const Signal = {
  Terminate: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate',
  CtrlC: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c',
  CtrlBreak: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_break',
} as const;

/** WSManFault codes (decimal) we branch on. Never branch on the localized Reason text. */
export const FaultCode = {
  OperationTimedOut: 2150858793,
  AccessDenied: 5,
  Busy: 170,
  UnexpectedSelectors: 2150858843,
  InvalidSelectors: 2150858813,
  QuotaMaxShells: 2150859173,
  QuotaMaxOperations: 2150859174,
  QuotaMaxShellUsers: 2150859179,
  MaxEnvelopeSizeExceeded: 2150858824,
  InvalidMessageInformationHeader: 2150858767,
  SchemaValidationError: 2150858817,
} as const;

export const CONTENT_TYPE_SOAP = 'application/soap+xml;charset=UTF-8';
export const ENCRYPTED_PROTOCOL_NTLM = 'application/HTTP-SPNEGO-session-encrypted';
export const CONTENT_TYPE_ENCRYPTED_NTLM = `multipart/encrypted;protocol="${ENCRYPTED_PROTOCOL_NTLM}";boundary="Encrypted Boundary"`;

"""Drives Debian's python3-ntlm-auth 1.4 as an NTLM client for the interop test (ntlm-auth-interop.test.ts).

JSON lines on stdin/stdout:
  argv[1]  {"user", "password", "domain", "workstation", "cbt" (hex app data or null), "messages": [str]}
  out      {"negotiate": b64}
  in       {"challenge": b64}
  out      {"authenticate": b64, "wrapped": [b64 signature+sealed], "flags": int}
  in       {"wrapped": [b64 signature+sealed]}
  out      {"unwrapped": [str]} or {"error": str}
Needs OPENSSL_CONF with the legacy provider (MD4).
"""
import base64
import json
import struct
import sys

from ntlm_auth.gss_channel_bindings import GssChannelBindingsStruct
from ntlm_auth.ntlm import NtlmContext


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    args = json.loads(sys.argv[1])
    cbt = None
    if args.get("cbt"):
        cbt = GssChannelBindingsStruct()
        cbt[cbt.APPLICATION_DATA] = bytes.fromhex(args["cbt"])
    ctx = NtlmContext(args["user"], args["password"], args["domain"], args["workstation"], cbt_data=cbt)
    out({"negotiate": base64.b64encode(ctx.step()).decode()})

    challenge = base64.b64decode(json.loads(sys.stdin.readline())["challenge"])
    authenticate = ctx.step(challenge)
    wrapped = [base64.b64encode(ctx.wrap(m.encode("utf-8"))).decode() for m in args["messages"]]
    flags = struct.unpack("<I", authenticate[60:64])[0]
    out({"authenticate": base64.b64encode(authenticate).decode(), "wrapped": wrapped, "flags": flags})

    replies = json.loads(sys.stdin.readline())["wrapped"]
    try:
        out({"unwrapped": [ctx.unwrap(base64.b64decode(r)).decode("utf-8") for r in replies]})
    except Exception as exc:  # report, let the test decide
        out({"error": "%s: %s" % (type(exc).__name__, exc)})


if __name__ == "__main__":
    main()

"""Independent WinRM client for the conformance tests: Debian's python3-winrm (pywinrm 0.3.0).

Usage: pywinrm_client.py URL TRANSPORT USER PASSWORD [CA_PATH]
Runs run_cmd('hostname') and run_cmd('echo', ['hello']), or run_ps($PYWINRM_PS) when that variable is
set; prints one JSON line per command: {"cmd", "args", "stdout", "stderr", "code"}.
The password comes from the environment variable named by PASSWORD when it starts with "env:", so
it never shows in the process list.
"""
import json
import os
import sys

import winrm


def main():
    url, transport, user, password = sys.argv[1:5]
    ca = sys.argv[5] if len(sys.argv) > 5 else None
    if password.startswith("env:"):
        password = os.environ[password[4:]]
    kwargs = {"transport": transport}
    if ca:
        kwargs["ca_trust_path"] = ca
        kwargs["server_cert_validation"] = "validate"
    if transport == "ntlm":
        kwargs["message_encryption"] = "always" if url.startswith("http:") else "auto"
    session = winrm.Session(url, auth=(user, password), **kwargs)
    script = os.environ.get("PYWINRM_PS")
    if script is not None:
        # run_ps: powershell -encodedcommand <UTF-16LE base64>, stderr CLIXML cleaned by pywinrm.
        r = session.run_ps(script)
        print(json.dumps({
            "cmd": "run_ps",
            "args": [],
            "stdout": r.std_out.decode("utf-8", "replace"),
            "stderr": r.std_err.decode("utf-8", "replace"),
            "code": r.status_code,
        }), flush=True)
        return
    for cmd, args in (("hostname", []), ("echo", ["hello"])):
        r = session.run_cmd(cmd, args)
        print(json.dumps({
            "cmd": cmd,
            "args": args,
            "stdout": r.std_out.decode("utf-8", "replace"),
            "stderr": r.std_err.decode("utf-8", "replace"),
            "code": r.status_code,
        }), flush=True)


if __name__ == "__main__":
    main()

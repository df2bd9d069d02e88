"""Independent client for the Kerberos and certificate tests: Debian's python3-winrm (pywinrm 0.3.0)
with requests-kerberos, over HTTPS against the lab.

Usage: pywinrm_auth.py URL CA_PATH kerberos SPN_HOST
       pywinrm_auth.py URL CA_PATH certificate CERT_PEM KEY_PEM
Kerberos takes its tickets from KRB5CCNAME and its realm from KRB5_CONFIG (the test's KDC); no
password passes through here. Prints one JSON line per command: {"cmd", "args", "stdout", "stderr", "code"},
or {"error": TYPE, "message": TEXT} and exit code 2 when the session fails.
"""
import json
import sys

import winrm


def main():
    url, ca, transport = sys.argv[1:4]
    kwargs = {"transport": transport, "ca_trust_path": ca, "server_cert_validation": "validate"}
    if transport == "kerberos":
        kwargs["kerberos_hostname_override"] = sys.argv[4]
    else:
        kwargs["cert_pem"] = sys.argv[4]
        kwargs["cert_key_pem"] = sys.argv[5]
    # pywinrm wants a user name even when the ticket cache or the certificate decides who logs on.
    session = winrm.Session(url, auth=(None, None), **kwargs)
    try:
        for cmd, args in (("hostname", []), ("echo", ["hello"])):
            r = session.run_cmd(cmd, args)
            print(json.dumps({
                "cmd": cmd,
                "args": args,
                "stdout": r.std_out.decode("utf-8", "replace"),
                "stderr": r.std_err.decode("utf-8", "replace"),
                "code": r.status_code,
            }), flush=True)
    except Exception as e:  # noqa: BLE001 - the test reads the failure's type and text
        print(json.dumps({"error": type(e).__name__, "message": str(e)}), flush=True)
        sys.exit(2)


if __name__ == "__main__":
    main()

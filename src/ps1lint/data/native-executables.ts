/**
 * Native programs scripts may call by bare name, each with why a cmdlet does not do the job.
 * A call of any of these (or of any *.exe/*.bat/*.cmd path, or anything run with `&`) must be
 * followed by a $LASTEXITCODE check (rule native-exit-code): $ErrorActionPreference does not
 * apply to native programs.
 */
export const NATIVE_EXECUTABLE_REASONS: Readonly<Record<string, string>> = {
  'msiexec.exe': 'installs MSI packages (URL Rewrite, Service Fabric runtime); Windows has no install cmdlet for MSIs',
  'nssm.exe': 'wraps non-service programs (gobetween) as Windows services with restart policy',
  'rabbitmqctl.bat': 'RabbitMQ administration (users, vhosts, permissions, cluster join); no PowerShell API',
  'rabbitmq-plugins.bat': 'enables RabbitMQ plugins (management); no PowerShell API',
  'rabbitmq-diagnostics.bat': 'RabbitMQ health checks and status for probes',
  'rabbitmq-upgrade.bat': 'drains and upgrades a RabbitMQ node during rolling upgrades',
  'rabbitmq-service.bat': 'installs and removes the RabbitMQ Windows service with the Erlang runtime',
  'sc.exe': 'service settings Set-Service lacks in 5.1 (failure actions, delayed start, SDDL); `sc` alone is Set-Content',
  'netsh.exe': 'HTTP.sys URL ACLs and SSL certificate bindings; no cmdlet in 5.1',
  'cmd.exe': 'runs .cmd/.bat files whose own quoting needs cmd /c',
  'powershell.exe': 'a separate (e.g. 64-bit, or clean) Windows PowerShell process',
  'icacls.exe': 'inheritance and ACE grants in one call; Set-Acl needs many lines for the same',
  'certutil.exe': 'certificate store repair and CRL checks that the PKI module does not cover',
  'reg.exe': 'reads a chosen registry view (/reg:32, /reg:64) for 32-bit installers',
  'dism.exe': 'Windows features offline or by source path when ServerManager cannot',
  'w32tm.exe': 'clock offset and time source, for the clock-skew probe (Kerberos needs < 5 min)',
  'whoami.exe': 'the token\'s groups and privileges (/groups, /priv) for the account probe',
  'robocopy.exe': 'copies directory trees with retries; exit codes below 8 mean success',
  'wusa.exe': 'installs .msu update packages (prerequisites such as the Universal C Runtime)',
  'sqlcmd.exe': 'runs a T-SQL check against the database server where the SqlServer module is absent',
  'setspn.exe': 'lists or registers Kerberos service principal names',
  'erl.exe': 'the Erlang runtime RabbitMQ needs: version check',
  'gobetween.exe': 'the load balancer binary: version and config check',
  'appcmd.exe': 'IIS settings WebAdministration handles poorly (config sections unlock)',
};

export const NATIVE_EXECUTABLES: ReadonlySet<string> = new Set(Object.keys(NATIVE_EXECUTABLE_REASONS));

/**
 * Commands that exist only in PowerShell 6/7 (or outside Windows PowerShell's in-box modules) and that
 * someone used to PowerShell 7 reaches for. known-command fails them anyway (they are not in the 5.1
 * module lists); this table only gives the message a 5.1 replacement. Source: "What's new in
 * PowerShell" / "Differences between Windows PowerShell 5.1 and PowerShell 7.x" on learn.microsoft.com.
 */
export const PS7_ONLY: Readonly<Record<string, string>> = {
  'get-error': 'read $Error[0] or the caught $_.Exception instead',
  'test-json': 'parse with ConvertFrom-Json inside try/catch instead',
  'convertfrom-markdown': 'no 5.1 equivalent; do not render Markdown on hosts',
  'show-markdown': 'no 5.1 equivalent',
  'get-markdownoption': 'no 5.1 equivalent',
  'set-markdownoption': 'no 5.1 equivalent',
  'get-uptime': 'use (Get-CimInstance Win32_OperatingSystem).LastBootUpTime',
  'join-string': 'use the -join operator',
  'remove-alias': 'use Remove-Item Alias:\\NAME',
  'remove-service': 'use sc.exe delete NAME (and check $LASTEXITCODE)',
  'get-experimentalfeature': 'experimental features exist only in PowerShell 7',
  'enable-experimentalfeature': 'experimental features exist only in PowerShell 7',
  'disable-experimentalfeature': 'experimental features exist only in PowerShell 7',
  'start-threadjob': 'ThreadJob is not in-box in 5.1; use Start-Job or run sequentially',
  'get-securerandom': 'use [System.Security.Cryptography.RandomNumberGenerator]',
  'convertto-clixml': 'use [System.Management.Automation.PSSerializer]::Serialize',
  'convertfrom-clixml': 'use [System.Management.Automation.PSSerializer]::Deserialize',
  'get-pssubsystem': 'no 5.1 equivalent',
};

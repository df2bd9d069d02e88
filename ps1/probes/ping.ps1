# cortex-script: probes.ping
# Liveness and identity: the host's name and clock (UTC). The cheapest round trip through the runner.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    [ordered]@{
        hostName  = Get-CortexHostName
        utcNow    = ConvertTo-CortexDate (Get-Date)
        psVersion = Get-CortexPowerShellVersion
    }
}

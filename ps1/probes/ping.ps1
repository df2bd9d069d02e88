# cortex-script: probes.ping
# Liveness and identity: the host's name and clock (UTC). The cheapest round trip through the runner.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    [ordered]@{
        hostName  = [System.Net.Dns]::GetHostName()
        utcNow    = ConvertTo-CortexDate (Get-Date)
        psVersion = $PSVersionTable.PSVersion.ToString()
    }
}

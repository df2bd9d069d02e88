# cortex-script: resources.iis-site
# Set of the iis_site resource (src/resources/iis-site.ts), with WebAdministration: creates the site
# (New-Website, from its first binding) or sets its physicalPath (the cut-over to a new version folder)
# and application pool; then replaces only the bindings that differ, compared by protocol and
# bindingInformation, and for https by certificate hash and SNI flag (the binding's certificate through
# AddSslCertificate); then starts or stops it. Refuses what IIS would make a broken site of: no IIS, a
# missing folder or pool, an https certificate not in LocalMachine\My, a binding another site holds.
#   params: {name, physicalPath, appPool, bindings: [{protocol, port, host, thumbprint, sni}], state}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function ConvertTo-CortexDesiredBinding {
    # A binding of the step in IIS's terms (asState in src/resources/iis-site.ts).
    param([Parameter(Mandatory = $true)]$Binding)
    $protocol = [string](Get-CortexResourceParam -Params $Binding -Resource 'iis_site' -Name 'protocol' -Required)
    $port = [int](Get-CortexResourceParam -Params $Binding -Resource 'iis_site' -Name 'port' -Required)
    $hostName = [string](Get-CortexResourceParam -Params $Binding -Resource 'iis_site' -Name 'host' -Default '')
    $sni = [bool](Get-CortexResourceParam -Params $Binding -Resource 'iis_site' -Name 'sni' -Default $false)
    $hash = $null
    if ($protocol -eq 'https') { $hash = ([string](Get-CortexResourceParam -Params $Binding -Resource 'iis_site' -Name 'thumbprint' -Required)).ToUpperInvariant() }
    elseif ($protocol -ne 'http') { throw ('iis_site: a binding''s protocol must be http or https, not {0}' -f $protocol) }
    $flags = 0
    if ($sni) { $flags = 1 }
    [ordered]@{ protocol = $protocol; bindingInformation = ('*:{0}:{1}' -f $port, $hostName); certificateHash = $hash; sslFlags = $flags; port = $port; host = $hostName }
}

function Find-CortexBinding {
    # The binding of $List with the same protocol and bindingInformation (case-insensitive), or $null.
    param($List, [Parameter(Mandatory = $true)]$Binding)
    @(@($List) | Where-Object { $null -ne $_ -and $_.protocol -eq $Binding.protocol -and $_.bindingInformation -eq $Binding.bindingInformation }) | Select-Object -First 1
}

Invoke-CortexScript {
    $p = $CortexParams
    $name = [string](Get-CortexResourceParam -Params $p -Resource 'iis_site' -Name 'name' -Required)
    $physicalPath = [string](Get-CortexResourceParam -Params $p -Resource 'iis_site' -Name 'physicalPath' -Required)
    $appPool = [string](Get-CortexResourceParam -Params $p -Resource 'iis_site' -Name 'appPool' -Required)
    $state = [string](Get-CortexResourceParam -Params $p -Resource 'iis_site' -Name 'state' -Default 'started')
    $bindings = Get-CortexResourceParam -Params $p -Resource 'iis_site' -Name 'bindings' -Required
    $desired = @(foreach ($b in @($bindings)) { ConvertTo-CortexDesiredBinding $b })
    if ($desired.Count -eq 0) { throw 'iis_site: parameter bindings is empty; a site needs at least one binding' }
    if (@('started', 'stopped') -notcontains $state) { throw ('iis_site: parameter state must be started or stopped, not {0}' -f $state) }
    if (-not (Test-CortexIisInstalled)) { throw 'iis_site: IIS is not installed on this host (no HKLM\SOFTWARE\Microsoft\InetStp); install the Web-Server feature in an earlier step' }
    Import-CortexWebAdministration
    if (-not (Test-Path -LiteralPath $physicalPath -PathType Container)) { throw ('iis_site: the physical path {0} does not exist; create it in an earlier step (archive or directory)' -f $physicalPath) }
    if ($null -eq (Get-CortexIisAppPool -Name $appPool)) { throw ('iis_site: the application pool {0} does not exist; create it in an earlier step (iis_app_pool)' -f $appPool) }
    foreach ($d in $desired) {
        if ($d.protocol -ne 'https') { continue }
        $cert = Get-CortexCertificateState -Store 'LocalMachine\My' -Thumbprint $d.certificateHash
        if (-not $cert.present) { throw ('iis_site: the certificate {0} of binding https {1} is not in Cert:\LocalMachine\My; import it in an earlier step (certificate)' -f $d.certificateHash, $d.bindingInformation) }
    }
    # Two sites on one binding: IIS keeps both, and the second will not start.
    foreach ($other in @(Get-Website | Where-Object { $_.Name -ne $name })) {
        $taken = Get-CortexIisBinding -Site ([string]$other.Name)
        foreach ($d in $desired) {
            if ($null -ne (Find-CortexBinding -List $taken -Binding $d)) { throw ('iis_site: binding {0} {1} is already used by the site {2}; two sites cannot listen on the same binding' -f $d.protocol, $d.bindingInformation, $other.Name) }
        }
    }

    $sitePath = 'IIS:\Sites\' + $name
    $done = New-Object System.Collections.Generic.List[string]
    $site = Get-CortexIisSite -Name $name
    if ($null -eq $site) {
        $first = $desired[0]
        $newArgs = @{ Name = $name; PhysicalPath = $physicalPath; ApplicationPool = $appPool; Port = $first.port; IPAddress = '*'; HostHeader = $first.host }
        if ($first.protocol -eq 'https') { $newArgs.Ssl = $true; $newArgs.SslFlags = $first.sslFlags }
        $null = New-Website @newArgs
        $done.Add('created')
        $site = Get-CortexIisSite -Name $name
    } else {
        if ($site.physicalPath.TrimEnd('\') -ne $physicalPath.TrimEnd('\')) {
            Set-ItemProperty -LiteralPath $sitePath -Name physicalPath -Value $physicalPath
            $done.Add(('physicalPath {0}' -f $physicalPath))
        }
        if ($site.appPool -ne $appPool) {
            Set-ItemProperty -LiteralPath $sitePath -Name applicationPool -Value $appPool
            $done.Add(('appPool {0}' -f $appPool))
        }
    }

    $current = @($site.bindings)
    foreach ($c in $current) {
        if ($null -eq (Find-CortexBinding -List $desired -Binding $c)) {
            Remove-WebBinding -Name $name -Protocol $c.protocol -BindingInformation $c.bindingInformation
            $done.Add(('removed {0} {1}' -f $c.protocol, $c.bindingInformation))
        }
    }
    foreach ($d in $desired) {
        $c = Find-CortexBinding -List $current -Binding $d
        if ($null -eq $c) {
            New-WebBinding -Name $name -Protocol $d.protocol -Port $d.port -IPAddress '*' -HostHeader $d.host -SslFlags $d.sslFlags
            $done.Add(('added {0} {1}' -f $d.protocol, $d.bindingInformation))
        } elseif ($d.protocol -eq 'https' -and $c.sslFlags -ne $d.sslFlags) {
            Set-WebBinding -Name $name -BindingInformation $d.bindingInformation -PropertyName sslFlags -Value $d.sslFlags
        }
        if ($d.protocol -ne 'https') { continue }
        if ($null -ne $c -and $c.certificateHash -eq $d.certificateHash -and $c.sslFlags -eq $d.sslFlags) { continue }
        $binding = @(Get-WebBinding -Name $name -Protocol 'https' -Port $d.port -HostHeader $d.host) | Select-Object -First 1
        if ($null -ne $c -and $c.certificateHash) { $binding.RemoveSslCertificate() }
        $binding.AddSslCertificate($d.certificateHash, 'my')
        $done.Add(('certificate {0} on https {1}' -f $d.certificateHash, $d.bindingInformation))
    }

    if ($state -eq 'started' -and $site.state -ne 'started') {
        Start-Website -Name $name
        $done.Add('started')
    } elseif ($state -eq 'stopped' -and $site.state -ne 'stopped') {
        Stop-Website -Name $name
        $done.Add('stopped')
    }
    $text = 'site {0}: nothing to change' -f $name
    if ($done.Count -gt 0) { $text = 'site {0}: {1}' -f $name, ($done -join ', ') }
    New-CortexSetResult -RebootRequired $false -Message $text
}

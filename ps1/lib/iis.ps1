# cortex-script: lib.iis
# IIS and certificate store reads shared by the Tests (resources.test-batch) and the Sets of the iis_app_pool,
# iis_site and certificate resources (docs/iis.md). WebAdministration, not IISAdministration: Server 2016's
# in-box IISAdministration may lack New-IISSiteBinding (UNCONFIRMED, docs/iis.md), WebAdministration
# has what these need on 2016 and 2019 alike.

function Test-CortexIisInstalled {
    # IIS is installed when its setup key exists (what the Web-Server feature writes).
    Test-CortexRegistryKey -SubKey 'SOFTWARE\Microsoft\InetStp'
}

function Import-CortexWebAdministration {
    # The IIS:\ drive and the Web* cmdlets.
    Import-Module -Name WebAdministration -Verbose:$false
}

function Get-CortexIisAppPool {
    # An application pool in the resource's terms, or $null when there is none of that name.
    param([Parameter(Mandatory = $true)][string]$Name)
    $path = 'IIS:\AppPools\' + $Name
    if (-not (Test-Path -LiteralPath $path)) { return $null }
    $pool = Get-Item -LiteralPath $path
    [ordered]@{
        runtime  = [string]$pool.managedRuntimeVersion
        pipeline = ([string]$pool.managedPipelineMode).ToLowerInvariant()
        identity = [string]$pool.processModel.identityType
        user     = [string]$pool.processModel.userName
        state    = ([string]$pool.state).ToLowerInvariant()
    }
}

function Get-CortexIisBinding {
    # A site's bindings as the iis_site resource compares them: certificate hash upper case ($null: none).
    param([Parameter(Mandatory = $true)][string]$Site)
    $out = New-Object System.Collections.Generic.List[object]
    foreach ($b in @(Get-WebBinding -Name $Site)) {
        $hash = [string]$b.certificateHash
        if ($hash) { $hash = $hash.ToUpperInvariant() } else { $hash = $null }
        $out.Add([ordered]@{ protocol = [string]$b.protocol; bindingInformation = [string]$b.bindingInformation; certificateHash = $hash; sslFlags = [int]$b.sslFlags })
    }
    , $out.ToArray()
}

function Get-CortexIisSite {
    # A site in the resource's terms, or $null when there is none of that name.
    param([Parameter(Mandatory = $true)][string]$Name)
    $site = @(Get-Website | Where-Object { $_.Name -eq $Name }) | Select-Object -First 1
    if ($null -eq $site) { return $null }
    [ordered]@{
        physicalPath = [string]$site.physicalPath
        appPool      = [string]$site.applicationPool
        state        = ([string]$site.state).ToLowerInvariant()
        bindings     = Get-CortexIisBinding -Site $Name
    }
}

function Get-CortexCertificateState {
    # Whether the store holds the certificate, and its private key.
    param([Parameter(Mandatory = $true)][string]$Store, [Parameter(Mandatory = $true)][string]$Thumbprint)
    $cert = Get-Item -LiteralPath ('Cert:\{0}\{1}' -f $Store, $Thumbprint.ToUpperInvariant()) -ErrorAction SilentlyContinue
    if ($null -eq $cert) { return [ordered]@{ present = $false; hasPrivateKey = $false } }
    [ordered]@{ present = $true; hasPrivateKey = [bool]$cert.HasPrivateKey }
}

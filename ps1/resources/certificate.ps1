# cortex-script: resources.certificate
# Set of the certificate resource (src/resources/certificate.ts): imports a PFX staged on the host into a
# machine store with Import-PfxCertificate, then checks that the expected certificate arrived with its
# private key. The password arrives in the parameters (on stdin), becomes a SecureString at once and is
# never echoed; the key is not exportable unless asked.
#   params: {path, password, thumbprint, store (LocalMachine\My), exportable}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Invoke-CortexScript {
    $p = $CortexParams
    $path = [string](Get-CortexResourceParam -Params $p -Resource 'certificate' -Name 'path' -Required)
    $thumbprint = ([string](Get-CortexResourceParam -Params $p -Resource 'certificate' -Name 'thumbprint' -Required)).ToUpperInvariant()
    $store = [string](Get-CortexResourceParam -Params $p -Resource 'certificate' -Name 'store' -Default 'LocalMachine\My')
    $exportable = [bool](Get-CortexResourceParam -Params $p -Resource 'certificate' -Name 'exportable' -Default $false)
    $secure = ConvertTo-SecureString -String ([string](Get-CortexResourceParam -Params $p -Resource 'certificate' -Name 'password' -Required)) -AsPlainText -Force
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { throw ('certificate: the PFX {0} is not on the host; stage it with a file step first' -f $path) }
    $storePath = 'Cert:\' + $store
    $importArgs = @{ FilePath = $path; CertStoreLocation = $storePath; Password = $secure }
    if ($exportable) { $importArgs.Exportable = $true }
    try {
        $imported = @(Import-PfxCertificate @importArgs)
    } catch {
        throw ('certificate: importing {0} into {1} failed: {2}' -f $path, $storePath, (Get-CortexExceptionMessage $_.Exception))
    }
    $cert = @($imported | Where-Object { ([string]$_.Thumbprint).ToUpperInvariant() -eq $thumbprint }) | Select-Object -First 1
    if ($null -eq $cert) {
        $held = (@($imported | ForEach-Object { [string]$_.Thumbprint }) -join ', ')
        throw ('certificate: {0} holds {1}, not the expected {2}; check the step''s thumbprint or the file' -f $path, $held, $thumbprint)
    }
    if (-not $cert.HasPrivateKey) { throw ('certificate: {0} was imported without its private key; an https binding needs it (export the PFX with its key)' -f $thumbprint) }
    New-CortexSetResult -RebootRequired $false -Message ('imported {0} ({1}) into {2}' -f $thumbprint, $cert.Subject, $storePath)
}

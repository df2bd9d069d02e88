# cortex-script: resources.acl
# Set of the acl resource (src/resources/acl.ts): explicit access rules on a file or folder.
# - inheritance (when given): turning it off keeps the inherited rules as explicit copies (as the
#   Security dialog's "convert" does), so nobody loses access by surprise; purge then removes them;
# - each identity (and allow/deny) with a missing rule gets exactly its listed rules: its other
#   explicit rules of that type are replaced (adding Read to an identity that has Modify would merge);
# - purge: explicit rules not listed are removed. Inherited rules are never touched.
# On a file, rules have no inheritance flags (nothing below a file inherits).
#   params: {path, rules: [{identity, rights, type, inherit}], purge, inheritance?}
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Test-CortexSameAclRule($A, $B, [bool]$IgnoreInherit) {
    ($A.identity -eq $B.identity) -and ($A.rights -ceq $B.rights) -and ($A.type -ceq $B.type) -and ($IgnoreInherit -or $A.inherit -eq $B.inherit)
}

Invoke-CortexScript {
    $path = [string](Get-CortexResourceParam -Params $CortexParams -Resource 'acl' -Name 'path' -Required)
    $rulesParam = Get-CortexResourceParam -Params $CortexParams -Resource 'acl' -Name 'rules' -Required
    $purge = [bool](Get-CortexResourceParam -Params $CortexParams -Resource 'acl' -Name 'purge' -Default $false)
    $inheritance = Get-CortexResourceParam -Params $CortexParams -Resource 'acl' -Name 'inheritance'
    if (-not (Test-Path -LiteralPath $path)) { throw ('acl: {0} does not exist; create it in an earlier step' -f $path) }
    $isContainer = [bool](Test-Path -LiteralPath $path -PathType Container)
    $wanted = New-Object System.Collections.Generic.List[object]
    foreach ($r in @($rulesParam)) {
        $identity = [string](Get-CortexResourceParam -Params $r -Resource 'acl' -Name 'identity' -Required)
        $rights = [string](Get-CortexResourceParam -Params $r -Resource 'acl' -Name 'rights' -Required)
        if (@('FullControl', 'Modify', 'ReadAndExecute', 'Read', 'Write', 'ListDirectory') -cnotcontains $rights) {
            throw ('acl: rights must be FullControl, Modify, ReadAndExecute, Read, Write or ListDirectory, not {0}' -f $rights)
        }
        $type = [string](Get-CortexResourceParam -Params $r -Resource 'acl' -Name 'type' -Default 'allow')
        if (@('allow', 'deny') -cnotcontains $type) { throw ('acl: type must be allow or deny, not {0}' -f $type) }
        $inherit = [bool](Get-CortexResourceParam -Params $r -Resource 'acl' -Name 'inherit' -Default $true)
        $wanted.Add([ordered]@{ identity = $identity; rights = $rights; type = $type; inherit = ($inherit -and $isContainer) })
    }
    if ($wanted.Count -eq 0) { throw 'acl: parameter rules is empty' }

    $done = New-Object System.Collections.Generic.List[string]
    $acl = Get-Acl -LiteralPath $path
    if ($null -ne $inheritance -and [bool]$inheritance -eq [bool]$acl.AreAccessRulesProtected) {
        $acl.SetAccessRuleProtection(-not [bool]$inheritance, $true)
        Set-Acl -LiteralPath $path -AclObject $acl
        # Read back: the inherited rules are explicit copies now.
        $acl = Get-Acl -LiteralPath $path
        if ([bool]$inheritance) { $done.Add('inheritance on') } else { $done.Add('inheritance off') }
    }
    $explicit = @($acl.Access | Where-Object { -not $_.IsInherited })
    $removed = 0
    if ($purge) {
        foreach ($rule in $explicit) {
            $current = ConvertTo-CortexAclRule -Rule $rule
            if (-not @($wanted | Where-Object { Test-CortexSameAclRule $_ $current (-not $isContainer) })) {
                $null = $acl.RemoveAccessRuleSpecific($rule)
                $removed++
            }
        }
    }
    $present = @($explicit | ForEach-Object { ConvertTo-CortexAclRule -Rule $_ })
    $groups = [ordered]@{}
    foreach ($w in $wanted) {
        if (@($present | Where-Object { Test-CortexSameAclRule $_ $w (-not $isContainer) }).Count -gt 0) { continue }
        $groups[('{0}|{1}' -f $w.identity.ToLowerInvariant(), $w.type)] = $true
    }
    $added = 0
    foreach ($group in $groups.Keys) {
        $members = @($wanted | Where-Object { ('{0}|{1}' -f $_.identity.ToLowerInvariant(), $_.type) -eq $group })
        $first = $true
        foreach ($w in $members) {
            $rule = New-CortexFileSystemAccessRule -Identity $w.identity -Rights $w.rights -Inherit $w.inherit -Type $w.type
            if ($first) { $acl.RemoveAccessRuleAll($rule); $first = $false }
            $acl.AddAccessRule($rule)
            $added++
        }
    }
    if ($removed -gt 0 -or $added -gt 0) { Set-Acl -LiteralPath $path -AclObject $acl }
    if ($added -gt 0) { $done.Add(('{0} rule(s) set' -f $added)) }
    if ($removed -gt 0) { $done.Add(('{0} rule(s) removed' -f $removed)) }
    New-CortexSetResult -Message ($done -join ', ')
}

# Script under test: ps1/resources/acl.ps1 (Set), with its Test in ps1/resources/test-batch.ps1.
# The acl resource: Get-Acl (Test) and Set-Acl of a changed ACL (Set), against an ACL object that behaves
# as .NET's FileSystemSecurity does for the methods the script calls. One Context per state of the ACL.
BeforeAll {
    . (Join-Path $PSScriptRoot '../helpers/CortexResourceTest.ps1')
    function New-FakeRule([string]$Identity, [string]$Rights, [string]$Type = 'Allow', [string]$Inherit = 'ContainerInherit, ObjectInherit', [bool]$IsInherited = $false) {
        # Windows adds Synchronize to allow rules.
        if ($Type -eq 'Allow' -and $Rights -ne 'FullControl') { $Rights += ', Synchronize' }
        [pscustomobject]@{
            IdentityReference = $Identity
            FileSystemRights  = [System.Security.AccessControl.FileSystemRights]$Rights
            AccessControlType = $Type
            InheritanceFlags  = [System.Security.AccessControl.InheritanceFlags]$Inherit
            IsInherited       = $IsInherited
        }
    }
    function New-FakeAcl([object[]]$Rules, [bool]$Protected = $false) {
        $acl = [pscustomobject]@{ Rules = (New-Object System.Collections.Generic.List[object]); AreAccessRulesProtected = $Protected }
        foreach ($r in $Rules) { $acl.Rules.Add($r) }
        $acl | Add-Member -MemberType ScriptProperty -Name Access -Value { , $this.Rules.ToArray() }
        $acl | Add-Member -MemberType ScriptMethod -Name SetAccessRuleProtection -Value {
            param($isProtected, $preserve)
            $this.AreAccessRulesProtected = $isProtected
            if ($isProtected) {
                foreach ($r in @($this.Rules | Where-Object { $_.IsInherited })) { if ($preserve) { $r.IsInherited = $false } else { $null = $this.Rules.Remove($r) } }
            }
        }
        $acl | Add-Member -MemberType ScriptMethod -Name RemoveAccessRuleSpecific -Value { param($rule) $null = $this.Rules.Remove($rule) }
        $acl | Add-Member -MemberType ScriptMethod -Name RemoveAccessRuleAll -Value {
            param($rule)
            foreach ($r in @($this.Rules | Where-Object { -not $_.IsInherited -and $_.IdentityReference -eq $rule.IdentityReference -and $_.AccessControlType -eq $rule.AccessControlType })) { $null = $this.Rules.Remove($r) }
        }
        $acl | Add-Member -MemberType ScriptMethod -Name AddAccessRule -Value { param($rule) $this.Rules.Add($rule) }
        $acl
    }
    function Register-Acl($Acl, [bool]$IsContainer = $true) {
        Register-CortexTestRegistryMock (New-CortexTestMachine)
        $global:CortexTestAcl = $Acl
        $global:CortexTestIsContainer = $IsContainer
        Mock Test-Path -ParameterFilter { $LiteralPath -like 'D:\*' } {
            if ($LiteralPath -like 'D:\missing*') { return $false }
            if ($PathType -eq 'Container') { return $global:CortexTestIsContainer }
            if ($PathType -eq 'Leaf') { return -not $global:CortexTestIsContainer }
            $true
        }
        Mock Get-Acl { $global:CortexTestAcl }
        Mock Set-Acl { }
        Mock New-CortexFileSystemAccessRule {
            $flags = 'None'
            if ($Inherit) { $flags = 'ContainerInherit, ObjectInherit' }
            $t = 'Allow'; if ($Type -eq 'deny') { $t = 'Deny' }
            New-FakeRule -Identity $Identity -Rights $Rights -Type $t -Inherit $flags
        }
    }
    function Test-Acl([hashtable]$Params) {
        $r = Invoke-CortexResourceTest -Resource 'acl' -Params $Params
        $r.StepError | Should -BeNullOrEmpty
        $r.State
    }
    $svc = @{ identity = 'CORP\svc-cortex'; rights = 'Modify'; type = 'allow'; inherit = $true }
}

Describe 'acl' {
    Context 'a folder with inherited rules and one explicit rule' {
        BeforeEach {
            Register-Acl (New-FakeAcl @(
                    (New-FakeRule 'NT AUTHORITY\SYSTEM' 'FullControl' -IsInherited $true),
                    (New-FakeRule 'BUILTIN\Users' 'ReadAndExecute' -IsInherited $true),
                    (New-FakeRule 'CORP\svc-cortex' 'Modify')
                ))
        }
        It 'Test: explicit rules only, rights by name without Synchronize; changes nothing' {
            $s = Test-Acl @{ path = 'D:\Cortex'; rules = @($svc) }
            $s.exists | Should -BeTrue
            $s.isContainer | Should -BeTrue
            $s.inheritance | Should -BeTrue
            @($s.rules).Count | Should -Be 1
            $s.rules[0].identity | Should -BeExactly 'CORP\svc-cortex'
            $s.rules[0].rights | Should -BeExactly 'Modify'
            $s.rules[0].type | Should -BeExactly 'allow'
            $s.rules[0].inherit | Should -BeTrue
            Assert-CortexNotInvoked @('Set-Acl', 'New-CortexFileSystemAccessRule')
        }
        It 'Set a second identity: added, the existing rule kept, one Set-Acl' {
            $r = Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\Cortex'; rules = @($svc, @{ identity = 'CORP\cortex-readers'; rights = 'ReadAndExecute'; type = 'allow'; inherit = $true }); purge = $false }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be '1 rule(s) set'
            Should -Invoke Set-Acl -Times 1 -Exactly -ParameterFilter { $LiteralPath -eq 'D:\Cortex' }
            Should -Invoke New-CortexFileSystemAccessRule -Times 1 -Exactly -ParameterFilter { $Identity -eq 'CORP\cortex-readers' -and $Rights -eq 'ReadAndExecute' -and $Inherit -and $Type -eq 'allow' }
            $s = Test-Acl @{ path = 'D:\Cortex' }
            @($s.rules | ForEach-Object { '{0}:{1}' -f $_.identity, $_.rights }) | Should -Be @('CORP\svc-cortex:Modify', 'CORP\cortex-readers:ReadAndExecute')
        }
        It 'Set less rights for the same identity: its rule replaced (not merged into Modify)' {
            $null = Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\Cortex'; rules = @(@{ identity = 'corp\SVC-CORTEX'; rights = 'Read'; type = 'allow'; inherit = $true }) }
            $s = Test-Acl @{ path = 'D:\Cortex' }
            @($s.rules).Count | Should -Be 1
            $s.rules[0].rights | Should -BeExactly 'Read'
        }
        It 'Set purge: explicit rules not listed removed, inherited ones untouched' {
            $r = Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\Cortex'; rules = @(@{ identity = 'CORP\admins'; rights = 'FullControl'; type = 'allow'; inherit = $true }); purge = $true }
            $r.Data.message | Should -Be '1 rule(s) set, 1 rule(s) removed'
            $s = Test-Acl @{ path = 'D:\Cortex' }
            @($s.rules | ForEach-Object { $_.identity }) | Should -Be @('CORP\admins')
            @($global:CortexTestAcl.Rules | Where-Object { $_.IsInherited }).Count | Should -Be 2
        }
        It 'Set inheritance off: protected keeping the inherited rules as explicit copies; purge removes them' {
            $r = Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\Cortex'; rules = @($svc); purge = $true; inheritance = $false }
            $r.Result.ok | Should -BeTrue
            $r.Data.message | Should -Be 'inheritance off, 2 rule(s) removed'
            Should -Invoke Set-Acl -Times 2 -Exactly
            $s = Test-Acl @{ path = 'D:\Cortex' }
            $s.inheritance | Should -BeFalse
            @($s.rules | ForEach-Object { $_.identity }) | Should -Be @('CORP\svc-cortex')
        }
        It 'Set of a rule already there: nothing written' {
            $r = Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\Cortex'; rules = @($svc) }
            $r.Data.message | Should -BeNullOrEmpty
            Assert-CortexNotInvoked @('Set-Acl')
        }
    }

    Context 'a deny rule and a rule that does not inherit' {
        BeforeEach { Register-Acl (New-FakeAcl @((New-FakeRule 'CORP\guest' 'Write' -Type 'Deny' -Inherit 'None'))) }
        It 'Test: type deny, inherit false, rights Write' {
            $s = Test-Acl @{ path = 'D:\Cortex' }
            $s.rules[0].type | Should -BeExactly 'deny'
            $s.rules[0].inherit | Should -BeFalse
            $s.rules[0].rights | Should -BeExactly 'Write'
        }
    }

    Context 'a file' {
        BeforeEach { Register-Acl (New-FakeAcl @((New-FakeRule 'CORP\svc-cortex' 'Read' -Inherit 'None'))) -IsContainer $false }
        It 'Test: isContainer false' { (Test-Acl @{ path = 'D:\Cortex\cortex.toml' }).isContainer | Should -BeFalse }
        It 'Set on a file: rules without inheritance flags' {
            $null = Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\Cortex\cortex.toml'; rules = @(@{ identity = 'CORP\other'; rights = 'Read'; type = 'allow'; inherit = $true }) }
            Should -Invoke New-CortexFileSystemAccessRule -Times 1 -Exactly -ParameterFilter { -not $Inherit }
        }
    }

    Context 'an unusual combination of rights' {
        BeforeEach { Register-Acl (New-FakeAcl @((New-FakeRule 'CORP\x' 'ReadData, WriteData'))) }
        It 'Test: the enum text, which differs from every named right' { (Test-Acl @{ path = 'D:\Cortex' }).rules[0].rights | Should -BeExactly 'ReadData, WriteData' }
    }

    Context 'the path does not exist' {
        BeforeEach { Register-Acl (New-FakeAcl @()) }
        It 'Test: exists false, no rules (the diff says to create it first)' {
            $s = Test-Acl @{ path = 'D:\missing' }
            $s.exists | Should -BeFalse
            @($s.rules).Count | Should -Be 0
            Assert-CortexNotInvoked @('Get-Acl')
        }
        It 'Set: an error naming the path' { (Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\missing'; rules = @($svc) }).Error.message | Should -Be 'acl: D:\missing does not exist; create it in an earlier step' }
    }

    Context 'bad parameters' {
        BeforeEach { Register-Acl (New-FakeAcl @()) }
        It 'no rules' { (Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\Cortex' }).Error.message | Should -Be 'acl: parameter rules is missing' }
        It 'unknown rights' {
            (Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\Cortex'; rules = @(@{ identity = 'x'; rights = 'Everything' }) }).Error.message | Should -BeLike 'acl: rights must be FullControl, *, not Everything'
            Assert-CortexNotInvoked @('Set-Acl')
        }
        It 'a rule without identity' { (Invoke-CortexResourceSet -Resource 'acl' -Params @{ path = 'D:\Cortex'; rules = @(@{ rights = 'Read' }) }).Error.message | Should -Be 'acl: parameter identity is missing' }
    }
}

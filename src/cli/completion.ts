/**
 * Shell completion scripts (docs/completion.md). Each script asks the CLI itself for the candidates
 * (`cortex-deploy --get-yargs-completions WORDS...`, answered by yargs from the commands and options
 * as they are defined), so completion never drifts from the CLI. Bash and zsh follow the shape of
 * yargs's own scripts; PowerShell has none in yargs, hence a Register-ArgumentCompleter of our own.
 */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'powershell'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

const bash = (app: string, fn: string) => `# ${app} completion for bash. Install: ${app} completion bash >> ~/.bashrc
${fn}() {
    local cur_word="\${COMP_WORDS[COMP_CWORD]}"
    local -a candidates
    mapfile -t candidates < <(${app} --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
    mapfile -t COMPREPLY < <(compgen -W "\${candidates[*]}" -- "\${cur_word}")
    return 0
}
complete -o bashdefault -o default -F ${fn} ${app}
`;

const zsh = (app: string, fn: string) => `#compdef ${app}
# ${app} completion for zsh. Install: ${app} completion zsh >> ~/.zshrc
${fn}() {
  local -a reply
  local si=$IFS
  IFS=$'\\n' reply=($(SHELL=zsh ${app} --get-yargs-completions "\${words[@]:0:CURRENT}" 2>/dev/null))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then
    _describe 'values' reply
  else
    _default
  fi
}
compdef ${fn} ${app}
`;

const powershell = (app: string) => `# ${app} completion for PowerShell. Install: ${app} completion powershell >> $PROFILE
Register-ArgumentCompleter -Native -CommandName '${app}', '${app}.cmd' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    # The words up to the cursor; an empty last word when the cursor follows a space.
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.StartOffset -lt $cursorPosition } | ForEach-Object { $_.Extent.Text })
    if ($wordToComplete -eq '') { $words += '' }
    $candidates = & '${app}' --get-yargs-completions @words 2>$null
    foreach ($c in $candidates) {
        if ($c -like "$wordToComplete*") {
            [System.Management.Automation.CompletionResult]::new($c, $c, 'ParameterValue', $c)
        }
    }
}
`;

/** The completion script for `shell`, for the program named `app` (on PATH). */
export function completionScript(shell: CompletionShell, app = 'cortex-deploy'): string {
  const fn = `_${app.replace(/[^A-Za-z0-9_]/g, '_')}_completions`;
  if (shell === 'bash') return bash(app, fn);
  if (shell === 'zsh') return zsh(app, fn);
  return powershell(app);
}

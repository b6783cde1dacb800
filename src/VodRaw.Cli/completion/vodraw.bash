# bash completion for vodraw: source this file (e.g. from ~/.bashrc). It asks vodraw itself through
# System.CommandLine's [suggest:N] directive, so the completions always match the installed version: every command
# (upload, pull, checkpoints, bench, emulator) and its options, e.g. `vodraw pull --se<TAB>` offers --session-id and
# --session-context.
# zsh: autoload -U +X bashcompinit && bashcompinit, then source this file.
_vodraw_complete() {
  local line="${COMP_LINE#* }"
  local point=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
  local IFS=$'\n'
  COMPREPLY=( $(vodraw "[suggest:${point}]" "${line}" 2>/dev/null) )
}
complete -o default -F _vodraw_complete vodraw

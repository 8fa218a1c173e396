#!/bin/sh
# A scripted $EDITOR for the edit tests. Appends a line to $EDITOR_LOG (the file it was given, the
# modes of that file and of its directory, its argument count, its pid), then does $EDITOR_ACTION:
#   sed     sed -i "$EDITOR_SED" on the file
#   write   copy $EDITOR_SOURCE over it ("%n" in the name = how many times the editor ran)
#   none    leave it alone
#   kill    kill itself with signal $EDITOR_SIGNAL
#   sleep   wait (exec, so a signal to this pid reaches the sleep)
#   pause   wait one second, then leave the file alone
#   fail    exit with status 3
for file in "$@"; do :; done
n=1
if [ -n "$EDITOR_LOG" ]; then
  printf '%s %s %s argc=%s pid=%s\n' "$file" "$(stat -c %a "$file")" "$(stat -c %a "$(dirname "$file")")" "$#" "$$" >> "$EDITOR_LOG"
  n=$(wc -l < "$EDITOR_LOG")
fi
case "$EDITOR_ACTION" in
  sed) sed -i "$EDITOR_SED" "$file" ;;
  write) cp "$(printf '%s' "$EDITOR_SOURCE" | sed "s/%n/$n/")" "$file" ;;
  none) ;;
  kill) kill "-$EDITOR_SIGNAL" $$ ;;
  sleep) exec sleep 30 ;;
  pause) sleep 1 ;;
  fail) exit 3 ;;
  *) echo "editor.sh: unknown EDITOR_ACTION '$EDITOR_ACTION'" >&2; exit 9 ;;
esac

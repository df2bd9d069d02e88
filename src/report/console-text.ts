/**
 * The one sanitizer for text that a host or an inventory supplies and the console shows: a fault
 * message, script output, an address, a name quoted in an error. Terminal control characters (C0
 * but newline and tab, DEL, C1) are shown as visible escapes (`\x1b`), so nobody's text can clear
 * the screen, retitle the window, move the cursor or hide lines. Our own colours are added after.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with every control character but \n and \t made visible (\r\n becomes \n). */
export function consoleText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Same, for one line: newlines and tabs become visible too. */
export function consoleLine(text: string): string {
  return consoleText(text).replace(/\n/g, '\\n').replace(/\t/g, ' ');
}

/** CLI output goes to stdout/stderr directly: this is a terminal program, not a service log. */
export function say(message: string): void {
  process.stdout.write(`${message}\n`);
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

// A small command-line flag parser: `--name value`, `--name=value` and boolean `--flag`.
// Unknown flags are errors, so a typo never silently trains with a default.
import { InputError } from '../util/errors';

export interface FlagSpec {
  /** Takes a value (false: a boolean switch). */
  value: boolean;
  help: string;
}

export type Flags = Record<string, string | true>;

export function parseFlags(argv: string[], spec: Record<string, FlagSpec>, command: string): { flags: Flags; rest: string[] } {
  const flags: Flags = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new InputError(`unknown option --${name} (see gatlab ${command} --help)`);
    if (!s.value) {
      if (eq >= 0) throw new InputError(`--${name} takes no value`);
      flags[name] = true;
    } else if (eq >= 0) {
      flags[name] = arg.slice(eq + 1);
    } else {
      const v = argv[++i];
      if (v === undefined) throw new InputError(`--${name} needs a value`);
      flags[name] = v;
    }
  }
  return { flags, rest };
}

export function usage(command: string, synopsis: string, spec: Record<string, FlagSpec>): string {
  const rows = Object.entries(spec).map(([name, s]) => `  --${name}${s.value ? ' <value>' : ''}`.padEnd(30) + s.help);
  return `Usage: gatlab ${command} ${synopsis}\n\n${rows.join('\n')}\n`;
}

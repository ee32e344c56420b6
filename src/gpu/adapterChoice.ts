// Which Vulkan driver Dawn uses in Node: the machine's GPU when it has one, SwiftShader (a CPU
// Vulkan driver) only when it has none, or the one `--adapter software|hardware` asks for. Pure
// logic over an injected probe, so that the fallback is tested on machines without a GPU.
import { InputError } from '../util/errors';

export const ADAPTER_CHOICES = ['auto', 'hardware', 'software'] as const;
export type AdapterChoice = (typeof ADAPTER_CHOICES)[number];

/** Looks for a hardware adapter through the machine's own Vulkan drivers. */
export type HardwareProbe = () => Promise<string | null>;

export interface DriverChoice {
  driver: 'system' | 'swiftshader';
  /** Why this driver, for the line that names the adapter. */
  why: string;
}

export function parseAdapterChoice(value: string, where: string): AdapterChoice {
  if ((ADAPTER_CHOICES as readonly string[]).includes(value)) return value as AdapterChoice;
  throw new InputError(`${where}: --adapter must be one of ${ADAPTER_CHOICES.join(', ')}, got "${value}"`);
}

export async function chooseDriver(choice: AdapterChoice, probe: HardwareProbe): Promise<DriverChoice> {
  if (choice === 'software') return { driver: 'swiftshader', why: 'software, as --adapter software asks' };
  const hardware = await probe();
  if (hardware !== null) return { driver: 'system', why: `hardware: ${hardware}` };
  if (choice === 'hardware') {
    throw new InputError('--adapter hardware: no hardware GPU adapter was found through the Vulkan drivers of this machine (set VK_ICD_FILENAMES to its driver, or drop --adapter to fall back to SwiftShader)');
  }
  return { driver: 'swiftshader', why: 'software: no hardware GPU adapter found' };
}

/**
 * Takes `--adapter X` (or `--adapter=X`) out of a command line, for the entry points that pick
 * the adapter before a command parses the rest (gatlab, the bench).
 */
export function takeAdapterFlag(argv: string[], where: string): { choice: AdapterChoice; rest: string[] } {
  const rest: string[] = [];
  let choice: AdapterChoice = 'auto';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--adapter') {
      const value = argv[++i];
      if (value === undefined) throw new InputError(`${where}: --adapter needs a value (${ADAPTER_CHOICES.join(', ')})`);
      choice = parseAdapterChoice(value, where);
    } else if (arg.startsWith('--adapter=')) {
      choice = parseAdapterChoice(arg.slice('--adapter='.length), where);
    } else {
      rest.push(arg);
    }
  }
  return { choice, rest };
}

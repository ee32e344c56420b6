// Which adapter Node trains on: the hardware GPU when the probe finds one, SwiftShader when it
// finds none, and what --adapter forces. Pure logic: the probe is injected.
import { describe, expect, it } from 'vitest';
import { chooseDriver, takeAdapterFlag } from '../src/gpu/adapterChoice';
import { InputError } from '../src/util/errors';

const gpu = async () => 'nvidia NVIDIA H200';
const none = async () => null;

describe('chooseDriver', () => {
  it('uses the hardware adapter when there is one, and names it', async () => {
    const c = await chooseDriver('auto', gpu);
    expect(c.driver).toBe('system');
    expect(c.why).toBe('hardware: nvidia NVIDIA H200');
  });

  it('falls back to SwiftShader when there is none, and says so', async () => {
    const c = await chooseDriver('auto', none);
    expect(c.driver).toBe('swiftshader');
    expect(c.why).toMatch(/software: no hardware GPU adapter/);
  });

  it('--adapter software uses SwiftShader without probing, even with a GPU', async () => {
    let probed = false;
    const c = await chooseDriver('software', async () => {
      probed = true;
      return 'a GPU';
    });
    expect(c.driver).toBe('swiftshader');
    expect(probed).toBe(false);
  });

  it('--adapter hardware refuses a machine without one, saying what to do', async () => {
    await expect(chooseDriver('hardware', none)).rejects.toThrow(InputError);
    await expect(chooseDriver('hardware', none)).rejects.toThrow(/no hardware GPU adapter.*VK_ICD_FILENAMES/);
    expect((await chooseDriver('hardware', gpu)).driver).toBe('system');
  });
});

describe('takeAdapterFlag', () => {
  it('takes --adapter out of the command line in both spellings, auto when absent', () => {
    expect(takeAdapterFlag(['--epochs', '3', '--adapter', 'software'], 'x')).toEqual({ choice: 'software', rest: ['--epochs', '3'] });
    expect(takeAdapterFlag(['--adapter=hardware', '--json'], 'x')).toEqual({ choice: 'hardware', rest: ['--json'] });
    expect(takeAdapterFlag(['--json'], 'x')).toEqual({ choice: 'auto', rest: ['--json'] });
  });

  it('refuses a missing or unknown value, naming the choices', () => {
    expect(() => takeAdapterFlag(['--adapter'], 'gatlab train')).toThrow(/gatlab train: --adapter needs a value \(auto, hardware, software\)/);
    expect(() => takeAdapterFlag(['--adapter', 'gpu'], 'gatlab train')).toThrow(/must be one of auto, hardware, software, got "gpu"/);
  });
});

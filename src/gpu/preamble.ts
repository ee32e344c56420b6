// The WGSL rendering of src/gpu/layout.ts: constants and structs that head each program, as
// tfjs-backend-webgpu's makeShader writes each shader's preamble from its program description.
// The shaders use these names; their values exist only in layout.ts.
import { EVAL_FIELDS, EVAL_HEADER, HEADER, HEADER_FIELDS, LOSS_KINDS, MAX_K, MAX_LAYERS, MAX_SEGMENTS, TILE, type Fields } from './layout';

/** lossSlot → LOSS_SLOT, adamBias2Sqrt → ADAM_BIAS2_SQRT. */
export function upperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** `const NAME = 8u;` */
function wgslConst(name: string, value: number): string {
  if (!Number.isInteger(value) || value < 0) throw new Error(`wgslConst: ${name} = ${value} is not a u32`);
  return `const ${name} = ${value}u;`;
}

/** A struct of 4-byte fields in the order of `fields`, after `before` (e.g. an array of records). */
export function wgslStruct(name: string, fields: Fields, before: string[] = []): string {
  const body = [...before, ...Object.entries(fields).map(([field, type]) => `${field}: ${type}`)];
  return `struct ${name} {\n${body.map((f) => `  ${f},\n`).join('')}}`;
}

/** The limits that size the kernels' arrays. */
export function wgslLimits(): string {
  return [wgslConst('MAX_LAYERS', MAX_LAYERS), wgslConst('MAX_K', MAX_K), wgslConst('MAX_SEGMENTS', MAX_SEGMENTS), wgslConst('TILE', TILE)].join('\n');
}

/** The packed graph header's word indices: HDR_ and the field's name in capitals. */
export function wgslHeaderIndices(): string {
  return HEADER_FIELDS.map((f) => wgslConst(`HDR_${upperSnake(f)}`, HEADER[f])).join('\n');
}

/** The evaluation data's header word indices: EV_ and the field's name in capitals. */
export function wgslEvalIndices(): string {
  return EVAL_FIELDS.map((f) => wgslConst(`EV_${upperSnake(f)}`, EVAL_HEADER[f])).join('\n');
}

/** The objectives' codes: LOSS_ and the name in capitals. */
export function wgslLossKinds(): string {
  return LOSS_KINDS.map((k, i) => wgslConst(`LOSS_${upperSnake(k)}`, i)).join('\n');
}

/** A program's preamble: a line that says where it comes from, then its parts. */
export function preamble(parts: string[]): string {
  return ['// Generated from src/gpu/layout.ts by src/gpu/preamble.ts (docs/ENGINE.md describes it).', ...parts, '// End of the generated preamble.'].join('\n');
}

// Embeddings as CSV, the encoder's output after its last block: one row per user, then one per
// item, `type,id,name,e0..e{C-1}`. `id` is the node's index within its type, the row it has in
// x_dict['user'] or x_dict['item'] of the exported PyG script, so both files name the same nodes.
import { float32Text } from './weightsFile';

export interface EmbeddingTable {
  /** C: values per node. */
  channels: number;
  userNames: readonly string[];
  itemNames: readonly string[];
  /** numUsers × C, row-major. */
  user: Float32Array;
  /** numItems × C, row-major. */
  item: Float32Array;
}

export function embeddingsCsv(t: EmbeddingTable): string {
  const C = t.channels;
  for (const [what, names, values] of [['user', t.userNames, t.user], ['item', t.itemNames, t.item]] as const) {
    if (values.length !== names.length * C) {
      throw new Error(`embeddingsCsv: ${names.length} ${what}s × ${C} channels need ${names.length * C} values, got ${values.length}`);
    }
  }
  const header = ['type', 'id', 'name', ...Array.from({ length: C }, (_, c) => `e${c}`)].join(',');
  const lines = [header];
  const rows = (type: string, names: readonly string[], values: Float32Array) => {
    for (let n = 0; n < names.length; n++) {
      const row = [type, String(n), csvField(names[n])];
      for (let c = 0; c < C; c++) row.push(float32Text(values[n * C + c]));
      lines.push(row.join(','));
    }
  };
  rows('user', t.userNames, t.user);
  rows('item', t.itemNames, t.item);
  return `${lines.join('\n')}\n`;
}

/** The name the page gives the embeddings of an epoch. */
export const embeddingsFileName = (epoch: number) => `gatlab-embeddings-epoch${epoch}.csv`;

// RFC 4180: titles like "Avengers, The (2012)" hold commas, some hold quotes.
function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// The files a user picks or drops, turned into ratings in the worker by the engine's one path
// (src/graph/datasetFiles.ts, which the CLI calls too): this side only hands it the bytes the
// page read.
import { loadRatings, recogniseFiles as recogniseBytes, type Recognised } from '../graph/datasetFiles';
import type { ColumnMapping } from '../graph/csv';
import type { DataFile } from './protocol';

export { loadRatings, type Recognised };

/** recogniseFiles of src/graph/datasetFiles.ts on the files as the page sent them. */
export function recogniseFiles(files: readonly DataFile[], mapping?: ColumnMapping | 'ask'): Recognised {
  return recogniseBytes(files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })), { mapping });
}

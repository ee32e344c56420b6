// A file the page hands the user to download: the run's weights, its embeddings or its PyG script.
// The engine worker makes the weights and the script; the embeddings come from the shown snapshot.
import { embeddingsCsv, embeddingsFileName } from '../formats/embeddingsCsv';
import type { RunInfo, SnapshotData } from '../worker/protocol';

export type ExportKind = 'weights' | 'embeddings' | 'script';

export interface ExportedFile {
  fileName: string;
  text: string;
  /** The download's media type. */
  mime: string;
}

export const MIME: Record<ExportKind, string> = { weights: 'application/json', embeddings: 'text/csv', script: 'text/x-python' };

/** The embeddings of a snapshot, one row per user and per movie. */
export function embeddingsFile(snap: SnapshotData, info: Pick<RunInfo, 'userNames' | 'itemNames'>): ExportedFile {
  const text = embeddingsCsv({ channels: snap.channels, userNames: info.userNames, itemNames: info.itemNames, user: snap.user, item: snap.item });
  return { fileName: embeddingsFileName(snap.epoch), text, mime: MIME.embeddings };
}

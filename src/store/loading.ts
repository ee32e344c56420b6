// Loading the user's files, the store's side: the files are read and handed to the engine, which
// parses, builds and evaluates them beside the current run; the page follows the phases, asks for
// the columns of a CSV it cannot read alone, and the load becomes the run once ready, or leaves
// the current run as it was with a message saying why.
import type { ColumnMapping } from '../graph/csv';
import { checkSettings, REAL_DATA_SETTINGS, settingsToQuery, type RunSettings } from '../train/settings';
import type { DatasetSource, FromWorker, LoadPhase, MappingRequest, RunInfo, ToWorker } from '../worker/protocol';

export interface LoadState {
  /** The run the files become once ready. */
  runId: number;
  files: string[];
  phase: LoadPhase;
  /** Of the phase, 0 to 1. */
  fraction: number;
  /** Ratings parsed so far. */
  rows: number;
  started: number;
  /** The settings were the seed's toy ones and REAL_DATA_SETTINGS replaced them. */
  realSettings: boolean;
}

/** A file picked or dropped (a File in the page). */
export interface NamedFile {
  name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface LoadingState {
  /** Files being loaded while the current run goes on, or null. */
  loading: LoadState | null;
  /** Why the last files could not be loaded (file, line, reason); the run is still the one before. */
  loadError: string | null;
  /** A CSV whose columns the user is asked to name before it loads. */
  mappingRequest: MappingRequest | null;
  /** What loading the current dataset changed in the settings, or null. */
  loadNotice: string | null;
  /** How long the current dataset took from the files to its first evaluation, or null (not loaded from files). */
  loadMs: number | null;
}

export interface LoadingActions {
  /** Loads files into a new run; the current one stays until it is ready, and stays when they fail. `mapping`: see ToWorker 'load'. */
  loadFiles(files: readonly NamedFile[], mapping?: ColumnMapping | 'ask'): Promise<void>;
  /** Loads the files the mapping dialog asked about with the columns chosen. */
  mapColumns(mapping: ColumnMapping): void;
  cancelMapping(): void;
}

/** What the loading needs of the store. */
export interface LoadingContext {
  get(): LoadingState & LoadingActions & { settings: RunSettings };
  set(patch: Partial<LoadingState>): void;
  send(message: ToWorker): void;
  /** A run id no run has had. */
  nextRunId(): number;
}

export function createLoading(ctx: LoadingContext) {
  const { get, set, send } = ctx;
  /** The files the mapping dialog is about. */
  let filesToMap: readonly NamedFile[] = [];

  const actions: LoadingActions = {
    async loadFiles(files, mapping) {
      const s = get();
      const runId = ctx.nextRunId();
      // The seed's settings train one rating per step for 1500 epochs: no way to meet real data.
      const realSettings = settingsToQuery(s.settings) === '';
      const settings = realSettings ? checkSettings(REAL_DATA_SETTINGS, s.settings).settings : s.settings;
      const names = files.map((f) => f.name);
      set({ loading: { runId, files: names, phase: 'reading', fraction: 0, rows: 0, started: Date.now(), realSettings }, loadError: null, mappingRequest: null });
      filesToMap = files;
      let bytes: ArrayBuffer[];
      try {
        bytes = await Promise.all(files.map((f) => f.arrayBuffer()));
      } catch (e) {
        if (get().loading?.runId === runId) set({ loading: null, loadError: `${names.join(', ')}: the file could not be read (${(e as Error).message})` });
        return;
      }
      if (get().loading?.runId !== runId) return;
      set({ loading: { ...get().loading!, fraction: 1 } });
      send({ type: 'load', runId, settings, files: files.map((f, k) => ({ name: f.name, bytes: bytes[k] })), mapping });
    },
    mapColumns(mapping) {
      void get().loadFiles(filesToMap, mapping);
    },
    cancelMapping() {
      filesToMap = [];
      set({ mappingRequest: null });
    },
  };

  return {
    initial: { loading: null, loadError: null, mappingRequest: null, loadNotice: null, loadMs: null } satisfies LoadingState,
    actions,

    /** The state of a ready load made the run: its dataset, and what loading it changed in the settings. */
    adopted(load: LoadState, dataset: DatasetSource | undefined, info: RunInfo): Omit<LoadingState, 'mappingRequest'> & { dataset?: DatasetSource; datasetLabel?: string } {
      const applied = new URLSearchParams(settingsToQuery(info.settings));
      return {
        ...(dataset && { dataset, datasetLabel: info.datasetName }),
        loading: null,
        loadError: null,
        loadMs: Date.now() - load.started,
        loadNotice: load.realSettings
          ? `The settings were the seed’s, made for its eight toy ratings; for real data this run uses ${[...applied].map(([k, v]) => `${k} ${v}`).join(', ')}. Change them in the panel.`
          : null,
      };
    },

    /** An error about the load under way: it ends, the run stays; false for other runs' errors. */
    failed(runId: number, message: string): boolean {
      if (runId !== get().loading?.runId) return false;
      set({ loading: null, loadError: message });
      return true;
    },

    /** Handles the engine's messages about a load; false for any other message. */
    receive(msg: FromWorker): boolean {
      const loading = get().loading;
      switch (msg.type) {
        case 'loading':
          if (loading?.runId === msg.runId) set({ loading: { ...loading, phase: msg.phase, fraction: msg.fraction, rows: msg.rows } });
          return true;
        case 'needsMapping':
          if (loading?.runId === msg.runId) set({ loading: null, mappingRequest: msg.request });
          return true;
        default:
          return false;
      }
    },
  };
}

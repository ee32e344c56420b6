// The page's state: one vanilla zustand store (no React here), fed by the engine worker. Updates
// from the worker are gathered and applied once per animation frame, so a fast run redraws the
// page at most at the display's rate, never per GPU dispatch.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { checkSettings, REAL_DATA_SETTINGS, SEED_SETTINGS, settingsToQuery, type RunSettings, type SettingIssue } from '../train/settings';
import type { Checkpoint, EpochMetrics } from '../train/trainer';
import type { ColumnMapping } from '../graph/csv';
import type { DatasetSource, ExplanationData, FromWorker, LoadPhase, MappingRequest, RunInfo, RunStatus, SnapshotData, Speed } from '../worker/protocol';
import type { EngineLink } from './engineLink';
import { createKeeping, type KeepingActions, type KeepingState } from './keeping';
import type { RunArchive } from './savedRun';
import { createSearching, type SearchActions, type SearchState } from './searching';
import { readUrl, urlQuery } from './url';

export type Direction = 'rates' | 'rev_rates';

/**
 * While playing at full speed on a software adapter, the page takes in progress at most this
 * often: there the page's own drawing runs on the same CPU cores as the "GPU", and each redraw
 * delays the training's next readback. On a hardware GPU it redraws every frame.
 */
const FAST_FLUSH_MS_SOFTWARE = 1000;
const SOFTWARE_ADAPTER = /fallback|swiftshader|llvmpipe|lavapipe|warp|software/i;

/** A CPU-emulated GPU: the page's drawing and the training share the same cores. */
export function isSoftwareAdapter(name: string | null): boolean {
  return SOFTWARE_ADAPTER.test(name ?? '');
}

/** Training at full speed: the page redraws less, explanations are brief and spaced out. */
export function isFast(s: RunState): boolean {
  return s.status === 'playing' && s.speed === 'max';
}
/** While playing at full speed, explanations are asked for at most this often. */
const FAST_EXPLAIN_INTERVAL_MS = 3000;

export interface AttentionView {
  /** 1-based layer. */
  layer: number;
  head: number | 'mean';
  /** rates: what each movie hears from its users; rev_rates: what each user hears from its movies. */
  direction: Direction;
}

export interface Pair {
  user: number;
  item: number;
}

export interface RunState extends KeepingState, SearchState {
  phase: 'starting' | 'ready' | 'noWebGPU' | 'failed';
  /** Why the page cannot train (no WebGPU, a lost device), in words. */
  fatal: string | null;
  adapterName: string | null;
  /** The settings of the current run (as checked). */
  settings: RunSettings;
  /** What was odd about the settings last asked for (from the link or the panel). */
  issues: SettingIssue[];
  dataset: DatasetSource;
  datasetLabel: string;
  runId: number;
  info: RunInfo | null;
  /** A run that could not be built (bad data, say); the page stays usable. */
  runError: string | null;
  status: RunStatus;
  epoch: number;
  history: EpochMetrics[];
  /** Recall@K before any training. */
  recall0: number | null;
  snapshots: ReadonlyMap<number, SnapshotData>;
  /** Kept epochs, ascending. */
  kept: number[];
  /** The latest snapshot (kept or not). */
  live: SnapshotData | null;
  /** The epoch shown (time travel), or null to follow the run. */
  viewEpoch: number | null;
  speed: Speed;
  stepSize: number;
  view: AttentionView;
  pair: Pair | null;
  /** Which end of the pair the graph centres on when the dataset is too large to draw whole: the one picked last. */
  focus: 'user' | 'item';
  explanation: ExplanationData | null;
  explainError: string | null;
  explaining: boolean;
  /** Something the run did that the user should know (it diverged, ...). */
  notice: string | null;
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

export interface RunActions extends KeepingActions, SearchActions {
  start(): void;
  play(): void;
  pause(): void;
  toggle(): void;
  step(epochs?: number): void;
  reset(): void;
  setSpeed(speed: Speed): void;
  setStepSize(epochs: number): void;
  applySettings(patch: Partial<Record<keyof RunSettings, unknown>>): void;
  resetSettings(): void;
  setView(view: Partial<AttentionView>): void;
  setViewEpoch(epoch: number | null): void;
  setPair(pair: Partial<Pair>): void;
  loadDataset(dataset: DatasetSource, label: string): void;
  /** Loads files into a new run; the current one stays until it is ready, and stays when they fail. `mapping`: see ToWorker 'load'. */
  loadFiles(files: readonly NamedFile[], mapping?: ColumnMapping | 'ask'): Promise<void>;
  /** Loads the files the mapping dialog asked about with the columns chosen. */
  mapColumns(mapping: ColumnMapping): void;
  cancelMapping(): void;
  dismissIssues(): void;
  dismissNotice(): void;
}

export type RunStore = StoreApi<RunState & RunActions>;

/** What a new run starts from, whatever came before. */
type FreshRun = Pick<
  RunState,
  'runId' | 'info' | 'runError' | 'status' | 'epoch' | 'history' | 'recall0' | 'snapshots' | 'kept' | 'live' | 'viewEpoch' | 'explanation' | 'explainError' | 'explaining' | 'notice'
> &
  Partial<SearchState>;

export interface StoreEnv {
  link: EngineLink;
  /** The page's query string at start. */
  search: string;
  /** Writes the query string (history.replaceState in the page). */
  writeSearch?: (search: string) => void;
  /** Schedules a flush (requestAnimationFrame in the page). */
  schedule?: (flush: () => void) => void;
  /** The toy CSV's text, fetched from the app's own files (the embedded copy is used otherwise). */
  loadToy?: () => Promise<string | undefined>;
  /** Where runs are saved (IndexedDB in the page); without one, runs are not kept. */
  archive?: RunArchive;
}

/** The shown snapshot: the viewed epoch's, or the latest. */
export function shownSnapshot(s: RunState): SnapshotData | null {
  if (s.viewEpoch !== null) return s.snapshots.get(s.viewEpoch) ?? s.live;
  return s.live;
}

export function shownEpoch(s: RunState): number {
  return shownSnapshot(s)?.epoch ?? s.epoch;
}

export function createRunStore(env: StoreEnv): RunStore {
  const fromUrl = readUrl(env.search);
  const schedule = env.schedule ?? ((f: () => void) => setTimeout(f, 16));
  let pending: { metrics: EpochMetrics[]; snapshots: SnapshotData[]; live: SnapshotData | null; epoch: number } | null = null;
  let flushScheduled = false;
  let lastFlush = 0;
  let requestSeq = 0;
  let inFlight: { requestId: number; key: string } | null = null;
  let lastRequest = 0;
  let explainTimer: ReturnType<typeof setTimeout> | null = null;
  /** Names from the link, resolved to indices when the run's names arrive. */
  let wantedPair: { user: string | null; item: string | null } = { user: fromUrl.user, item: fromUrl.item };
  /** Run ids for resets and loads alike, so that a load's run never takes an id a reset used. */
  let runSeq = 0;
  /** The files the mapping dialog is about. */
  let filesToMap: readonly NamedFile[] = [];

  const store = createStore<RunState & RunActions>()((set, get) => {
    const send = env.link.send.bind(env.link);
    const searching = createSearching({ get, set, send });

    const writeUrl = () => {
      if (!env.writeSearch) return;
      const s = get();
      const info = s.info;
      let pair: { user: string; item: string } | null = null;
      if (info && s.pair && !isDefaultPair(info, s.dataset.kind === 'toy', s.snapshots.get(s.kept[0]) ?? null, s.pair)) pair = { user: info.userNames[s.pair.user], item: info.itemNames[s.pair.item] };
      else if (!info && wantedPair.user && wantedPair.item) pair = { user: wantedPair.user, item: wantedPair.item };
      env.writeSearch(urlQuery(s.settings, pair));
    };

    /** A run with nothing of the one before. */
    const freshRun = (runId: number): FreshRun => {
      pending = null;
      inFlight = null;
      return {
        runId,
        info: null,
        runError: null,
        status: 'idle',
        epoch: 0,
        history: [],
        recall0: null,
        snapshots: new Map(),
        kept: [],
        live: null,
        viewEpoch: null,
        explanation: null,
        explainError: null,
        explaining: false,
        notice: null,
        ...searching.reset(),
      };
    };

    /** A run of the store's settings and dataset: fresh, or going on from a saved checkpoint. */
    const newRun = (resume?: Checkpoint) => {
      const runId = ++runSeq;
      // Asked after a load, this run overtakes it (the worker drops the load).
      set({ ...freshRun(runId), loading: null });
      send({ type: 'reset', runId, settings: get().settings, dataset: get().dataset, ...(resume && { resume }) });
      return runId;
    };

    const keeping = createKeeping({
      get,
      set,
      send,
      archive: env.archive ?? null,
      search: env.search,
      nextRunId: () => ++runSeq,
      newRun,
      adoptRun: (runId) => set(freshRun(runId)),
      rewindTo,
      shown: () => shownSnapshot(get()),
      writeUrl,
    });

    /** A loaded run is ready: it replaces the current one, with its dataset and the settings it was built with. */
    const adoptLoad = (load: LoadState, dataset: DatasetSource | undefined, info: RunInfo) => {
      wantedPair = { user: null, item: null };
      const applied = new URLSearchParams(settingsToQuery(info.settings));
      set({
        ...freshRun(load.runId),
        ...(dataset && { dataset, datasetLabel: info.datasetName }),
        loading: null,
        loadError: null,
        loadMs: Date.now() - load.started,
        loadNotice: load.realSettings
          ? `The settings were the seed’s, made for its eight toy ratings; for real data this run uses ${[...applied].map(([k, v]) => `${k} ${v}`).join(', ')}. Change them in the panel.`
          : null,
      });
    };

    return {
      phase: 'starting',
      fatal: null,
      adapterName: null,
      settings: fromUrl.settings,
      issues: fromUrl.issues,
      dataset: { kind: 'toy' },
      datasetLabel: 'Toy: the seed’s case study',
      ...freshRun(0),
      speed: 60,
      stepSize: 10,
      view: { layer: fromUrl.settings.layers, head: 'mean', direction: 'rates' },
      pair: null,
      focus: 'user',
      loading: null,
      loadError: null,
      mappingRequest: null,
      loadNotice: null,
      loadMs: null,
      ...keeping.initial,
      ...keeping.actions,
      ...searching.initial,
      ...searching.actions,

      start() {
        env.link.listen(receive, (message) => set({ phase: 'failed', fatal: `The training engine stopped: ${message}` }));
        // A link with odd values is rewritten to what the run really uses (the message says what changed).
        if (fromUrl.issues.length > 0) writeUrl();
        const begin = (csv: string | undefined) => {
          set({ dataset: { kind: 'toy', csv } });
          // The run saved in this browser, unless the link asks for other settings.
          void keeping.open(() => newRun());
        };
        if (env.loadToy) env.loadToy().then(begin, () => begin(undefined));
        else begin(undefined);
      },
      play() {
        const s = get();
        if (!s.info || s.status === 'diverged' || s.epoch >= s.settings.epochs) return;
        set({ status: 'playing', viewEpoch: null, notice: null });
        send({ type: 'play', runId: s.runId, speed: s.speed });
      },
      pause() {
        send({ type: 'pause' });
      },
      toggle() {
        const s = get();
        if (s.status === 'playing' || s.status === 'stepping') get().pause();
        else get().play();
      },
      step(epochs) {
        const s = get();
        if (!s.info || s.status === 'diverged' || s.epoch >= s.settings.epochs) return;
        const n = Math.max(1, Math.floor(epochs ?? 1));
        if (s.status !== 'playing') set({ status: 'stepping', viewEpoch: null });
        send({ type: 'step', runId: s.runId, epochs: n });
      },
      reset() {
        newRun();
      },
      setSpeed(speed) {
        set({ speed });
        send({ type: 'speed', speed });
      },
      setStepSize(epochs) {
        const n = Number.isFinite(epochs) ? Math.min(100_000, Math.max(1, Math.round(epochs))) : 10;
        set({ stepSize: n });
      },
      applySettings(patch) {
        const { settings, issues } = checkSettings(patch, get().settings);
        const view = get().view;
        set({ settings, issues, view: { ...view, layer: Math.min(view.layer, settings.layers) || settings.layers, head: view.head === 'mean' || view.head < settings.heads ? view.head : 'mean' } });
        writeUrl();
        newRun();
      },
      resetSettings() {
        set({ settings: SEED_SETTINGS, issues: [], view: { ...get().view, layer: SEED_SETTINGS.layers, head: 'mean' } });
        writeUrl();
        newRun();
      },
      setView(view) {
        set({ view: { ...get().view, ...view } });
        requestExplanation();
      },
      setViewEpoch(epoch) {
        set({ viewEpoch: epoch === null || epoch >= get().epoch ? null : epoch });
        requestExplanation();
      },
      setPair(pair) {
        const s = get();
        if (!s.info) return;
        // A user picked alone is shown with their top recommendation (on data other than the toy).
        const user = pair.user ?? s.pair?.user ?? 0;
        const top = pair.item === undefined && s.dataset.kind !== 'toy' ? topRecommendation(shownSnapshot(s), user) : null;
        const next = { user, item: pair.item ?? top ?? s.pair?.item ?? 0 };
        if (next.user < 0 || next.user >= s.info.numUsers || next.item < 0 || next.item >= s.info.numItems) return;
        wantedPair = { user: s.info.userNames[next.user], item: s.info.itemNames[next.item] };
        const focus = pair.item === undefined ? 'user' : pair.user === undefined ? 'item' : s.focus;
        set({ pair: next, focus });
        writeUrl();
        requestExplanation();
      },
      loadDataset(dataset, label) {
        wantedPair = { user: null, item: null };
        set({ dataset, datasetLabel: label, pair: null, loadError: null, loadNotice: null, loadMs: null });
        writeUrl();
        newRun();
      },
      async loadFiles(files, mapping) {
        const s = get();
        const runId = ++runSeq;
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
      dismissIssues() {
        set({ issues: [] });
      },
      dismissNotice() {
        set({ notice: null });
      },
    };

    function receive(msg: FromWorker): void {
      if (keeping.receive(msg) || searching.receive(msg)) return;
      const s = get();
      switch (msg.type) {
        case 'noWebGPU':
          set({ phase: 'noWebGPU', fatal: msg.message });
          return;
        case 'error':
          if (!msg.fatal && keeping.refused(msg.runId, msg.message)) return;
          if (!msg.fatal && msg.runId === s.loading?.runId) set({ loading: null, loadError: msg.message });
          else if (msg.fatal) set({ phase: 'failed', fatal: msg.message, status: 'idle' });
          else if (msg.runId === s.runId) set({ runError: msg.message, status: s.info ? 'idle' : s.status, phase: 'ready' });
          return;
        case 'ready': {
          const load = s.loading?.runId === msg.info.runId ? s.loading : null;
          if (msg.info.runId !== s.runId && !load && !keeping.claims(msg.info.runId)) return;
          if (load) adoptLoad(load, msg.dataset, msg.info);
          const info = msg.info;
          // A restored run starts at its checkpoint's epoch, with its history.
          const at = msg.snapshot.epoch;
          const snaps = new Map([[at, msg.snapshot]]);
          // The dataset as adopted just above, for a load.
          const pair = resolvePair(info, get().dataset.kind === 'toy', msg.snapshot, wantedPair);
          set({
            phase: 'ready',
            adapterName: info.adapterName,
            info,
            settings: info.settings,
            epoch: at,
            history: msg.metrics,
            recall0: msg.recall,
            snapshots: snaps,
            kept: [at],
            live: msg.snapshot,
            pair,
            view: { ...s.view, layer: Math.min(Math.max(1, s.view.layer), info.layers), head: s.view.head === 'mean' || s.view.head < info.heads ? s.view.head : 'mean' },
          });
          if (load) writeUrl();
          keeping.ready(info.runId);
          requestExplanation();
          return;
        }
        case 'loading':
          if (s.loading?.runId === msg.runId) set({ loading: { ...s.loading, phase: msg.phase, fraction: msg.fraction, rows: msg.rows } });
          return;
        case 'needsMapping':
          if (s.loading?.runId === msg.runId) set({ loading: null, mappingRequest: msg.request });
          return;
        case 'progress': {
          if (msg.runId !== s.runId) return;
          pending ??= { metrics: [], snapshots: [], live: null, epoch: 0 };
          pending.metrics.push(...msg.metrics);
          pending.snapshots.push(...msg.snapshots);
          const latest = msg.live ?? msg.snapshots[msg.snapshots.length - 1];
          if (latest && (!pending.live || latest.epoch >= pending.live.epoch)) pending.live = latest;
          pending.epoch = msg.epoch;
          if (!flushScheduled) {
            flushScheduled = true;
            // At full speed the page redraws a few times a second: on a GPU it shares with the
            // training (a software adapter above all) every redraw delays the next readback.
            const st = get();
            const software = isSoftwareAdapter(st.adapterName);
            const wait = fast(st) && software ? lastFlush + FAST_FLUSH_MS_SOFTWARE - Date.now() : 0;
            if (wait > 0) setTimeout(() => schedule(flush), wait);
            else schedule(flush);
          }
          return;
        }
        case 'status':
          if (msg.runId === s.runId) set({ status: msg.status });
          return;
        case 'stopped':
          if (msg.runId !== s.runId) return;
          flush();
          set({ status: msg.status, epoch: Math.max(get().epoch, msg.epoch), notice: msg.message ?? get().notice });
          // The run was rewound to the last good epoch: drop what came after it.
          if (msg.status === 'diverged') rewindTo(msg.epoch);
          keeping.stopped(msg.status);
          requestExplanation();
          return;
        case 'explanation': {
          if (!inFlight || msg.requestId !== inFlight.requestId) return;
          const key = inFlight.key;
          inFlight = null;
          if (msg.runId === get().runId) {
            set({ explanation: msg.explanation ?? get().explanation, explainError: msg.error ?? null, explaining: false });
          }
          // Ask again if what is shown moved on while this one was computed.
          if (explainKey() !== key) requestExplanation();
          return;
        }
      }
    }

    /** Forgets the epochs after `epoch`, where the engine rewound the run. */
    function rewindTo(epoch: number): void {
      const keep = (e: number) => e <= epoch;
      const st = get();
      const snapshots = new Map([...st.snapshots].filter(([e]) => keep(e)));
      set({
        epoch,
        history: st.history.filter((m) => keep(m.epoch)),
        snapshots,
        kept: st.kept.filter(keep),
        live: st.live && keep(st.live.epoch) ? st.live : snapshots.get(Math.max(...snapshots.keys())) ?? null,
      });
    }

    function flush(): void {
      flushScheduled = false;
      lastFlush = Date.now();
      const p = pending;
      pending = null;
      if (!p) return;
      const s = get();
      let { snapshots, kept } = s;
      if (p.snapshots.length > 0) {
        const next = new Map(snapshots);
        const added: number[] = [];
        for (const snap of p.snapshots) {
          if (!next.has(snap.epoch)) added.push(snap.epoch);
          next.set(snap.epoch, snap);
        }
        snapshots = next;
        kept = added.length > 0 ? [...kept, ...added].sort((a, b) => a - b) : kept;
      }
      set({
        history: p.metrics.length > 0 ? s.history.concat(p.metrics) : s.history,
        epoch: Math.max(s.epoch, p.epoch),
        snapshots,
        kept,
        live: p.live ?? s.live,
      });
      requestExplanation();
    }

    function explainKey(): string {
      const s = get();
      const snap = shownSnapshot(s);
      return s.pair && snap ? `${s.runId}:${snap.epoch}:${s.pair.user}:${s.pair.item}:${s.view.head}:${fast(s)}` : '';
    }

    function requestExplanation(): void {
      const s = get();
      const snap = shownSnapshot(s);
      if (!s.pair || !snap || !s.info || inFlight) return;
      // At full speed the explanation follows the run at a walk: each one is a few forward passes
      // on the GPU that the training would wait for.
      if (fast(s)) {
        const wait = lastRequest + FAST_EXPLAIN_INTERVAL_MS - Date.now();
        if (wait > 0) {
          if (!explainTimer) explainTimer = setTimeout(() => {
            explainTimer = null;
            requestExplanation();
          }, wait);
          return;
        }
      }
      const key = explainKey();
      const e = s.explanation;
      if (e && `${s.runId}:${e.epoch}:${e.user.index}:${e.item.index}:${e.head}:${e.brief}` === key) return;
      const requestId = ++requestSeq;
      lastRequest = Date.now();
      inFlight = { requestId, key };
      set({ explaining: true });
      send({ type: 'explain', requestId, runId: s.runId, epoch: snap.epoch, user: s.pair.user, item: s.pair.item, head: s.view.head, brief: fast(s) });
    }
  });
  return store;
}

const fast = isFast;

function isDefaultPair(info: RunInfo, toy: boolean, first: SnapshotData | null, pair: Pair): boolean {
  const d = defaultPair(info, toy, first);
  return d !== null && d.user === pair.user && d.item === pair.item;
}

/**
 * The pair explained first. On the toy, its held-out rating: Tim and The Avengers, the seed's
 * case. On other data, the first held-out rating's user and that user's top recommendation in
 * `first` (the run's first snapshot), so that what is explained is a recommendation; the
 * held-out movie itself may rank thousands deep.
 */
export function defaultPair(info: RunInfo, toy: boolean, first: SnapshotData | null): Pair | null {
  const { user, item, train } = info.ratings;
  if (user.length === 0) return null;
  let r = train.indexOf(0);
  if (r < 0) r = 0;
  return { user: user[r], item: (toy ? null : topRecommendation(first, user[r])) ?? item[r] };
}

/** The user's first recommendation in the snapshot; null without one (no snapshot, or no candidate). */
function topRecommendation(snapshot: SnapshotData | null, user: number): number | null {
  const top = snapshot ? snapshot.topk[user * snapshot.k] : -1;
  return top !== undefined && top >= 0 ? top : null;
}

function resolvePair(info: RunInfo, toy: boolean, first: SnapshotData, wanted: { user: string | null; item: string | null }): Pair | null {
  const d = defaultPair(info, toy, first);
  if (!d) return null;
  const u = wanted.user === null ? -1 : info.userNames.indexOf(wanted.user);
  const i = wanted.item === null ? -1 : info.itemNames.indexOf(wanted.item);
  const item = i >= 0 ? i : u >= 0 && !toy ? (topRecommendation(first, u) ?? d.item) : d.item;
  return { user: u >= 0 ? u : d.user, item };
}

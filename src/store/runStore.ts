// The page's state: one vanilla zustand store (no React here), fed by the engine worker. It holds
// the run, its settings and dataset, and what is shown of it; its slices (progress, explaining,
// loading, keeping, searching) each own one concern and the part of the state that goes with it.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { checkSettings, SEED_SETTINGS, type RunSettings, type SettingIssue } from '../train/settings';
import type { Checkpoint } from '../train/types';
import type { DatasetSource, FromWorker, RunInfo, RunStatus, SnapshotData, Speed } from '../worker/protocol';
import type { EngineLink } from './engineLink';
import { createExplaining, type ExplainingState } from './explaining';
import { createKeeping, type KeepingActions, type KeepingState } from './keeping';
import { createLoading, type LoadingActions, type LoadingState } from './loading';
import { createProgress, type ProgressState } from './progress';
import type { RunArchive } from './savedRun';
import { createSearching, type SearchActions, type SearchState } from './searching';
import { isDefaultPair, resolvePair, shownSnapshot, topRecommendation, type AttentionView, type Pair } from './shown';
import { readUrl, urlQuery } from './url';

export interface RunState extends ProgressState, ExplainingState, LoadingState, KeepingState, SearchState {
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
  /** Recall@K before any training. */
  recall0: number | null;
  /** The epoch shown (time travel), or null to follow the run. */
  viewEpoch: number | null;
  speed: Speed;
  stepSize: number;
  view: AttentionView;
  /** The user picked the layer or head: the view no longer follows the layer and head whose α moved most. */
  viewPicked: boolean;
  pair: Pair | null;
  /** Which end of the pair the graph centres on when the dataset is too large to draw whole: the one picked last. */
  focus: 'user' | 'item';
  /** Something the run did that the user should know (it diverged, ...). */
  notice: string | null;
}

export interface RunActions extends LoadingActions, KeepingActions, SearchActions {
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
  /** `picked`: true for the user's own pick of a layer or head, false to follow the most-moved one again. */
  setView(view: Partial<AttentionView>, picked?: boolean): void;
  setViewEpoch(epoch: number | null): void;
  setPair(pair: Partial<Pair>): void;
  loadDataset(dataset: DatasetSource, label: string): void;
  dismissIssues(): void;
  dismissNotice(): void;
}

export type RunStore = StoreApi<RunState & RunActions>;

/** What a new run starts from, whatever came before. */
type FreshRun = Pick<RunState, 'runId' | 'info' | 'runError' | 'status' | 'recall0' | 'viewEpoch' | 'notice'> & ProgressState & ExplainingState & Partial<SearchState>;

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

export function createRunStore(env: StoreEnv): RunStore {
  const fromUrl = readUrl(env.search);
  /** Names from the link, resolved to indices when the run's names arrive. */
  let wantedPair: { user: string | null; item: string | null } = { user: fromUrl.user, item: fromUrl.item };
  /** Run ids for resets and loads alike, so that a load's run never takes an id a reset used. */
  let runSeq = 0;

  const store = createStore<RunState & RunActions>()((set, get) => {
    const send = env.link.send.bind(env.link);
    const searching = createSearching({ get, set, send });
    const explaining = createExplaining({ get, set, send });
    const progress = createProgress({ get, set, schedule: env.schedule ?? ((f) => setTimeout(f, 16)), flushed: explaining.request });
    const loading = createLoading({ get, set, send, nextRunId: () => ++runSeq });

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
      progress.reset();
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
        ...explaining.reset(),
        notice: null,
        ...searching.reset(),
      };
    };

    /** A run of the store's settings and dataset: fresh, or going on from a saved checkpoint (with its kept epochs' snapshots). */
    const newRun = (resume?: Checkpoint, snapshots?: SnapshotData[]) => {
      const runId = ++runSeq;
      // Asked after a load, this run overtakes it (the worker drops the load).
      set({ ...freshRun(runId), loading: null });
      send({ type: 'reset', runId, settings: get().settings, dataset: get().dataset, ...(resume && { resume }), ...(snapshots && { snapshots }) });
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
      rewindTo: progress.rewindTo,
      shown: () => shownSnapshot(get()),
      writeUrl,
    });

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
      viewPicked: false,
      pair: null,
      focus: 'user',
      ...loading.initial,
      ...loading.actions,
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
      setView(view, picked) {
        set({ view: { ...get().view, ...view }, viewPicked: picked ?? get().viewPicked });
        explaining.request();
      },
      setViewEpoch(epoch) {
        set({ viewEpoch: epoch === null || epoch >= get().epoch ? null : epoch });
        explaining.request();
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
        explaining.request();
      },
      loadDataset(dataset, label) {
        wantedPair = { user: null, item: null };
        set({ dataset, datasetLabel: label, pair: null, loadError: null, loadNotice: null, loadMs: null });
        writeUrl();
        newRun();
      },
      dismissIssues() {
        set({ issues: [] });
      },
      dismissNotice() {
        set({ notice: null });
      },
    };

    function receive(msg: FromWorker): void {
      if (msg.type === 'progress') keeping.progressed(msg.runId, msg.epoch);
      if (progress.receive(msg) || explaining.receive(msg) || loading.receive(msg) || keeping.receive(msg) || searching.receive(msg)) return;
      const s = get();
      switch (msg.type) {
        case 'noWebGPU':
          set({ phase: 'noWebGPU', fatal: msg.message });
          return;
        case 'error':
          if (!msg.fatal && (keeping.refused(msg.runId, msg.message) || loading.failed(msg.runId, msg.message))) return;
          if (msg.fatal) set({ phase: 'failed', fatal: msg.message, status: 'idle' });
          else if (msg.runId === s.runId) set({ runError: msg.message, status: s.info ? 'idle' : s.status, phase: 'ready' });
          return;
        case 'ready': {
          const load = s.loading?.runId === msg.info.runId ? s.loading : null;
          if (msg.info.runId !== s.runId && !load && !keeping.claims(msg.info.runId)) return;
          if (load) {
            wantedPair = { user: null, item: null };
            set({ ...freshRun(load.runId), ...loading.adopted(load, msg.dataset, msg.info) });
          }
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
          explaining.request();
          return;
        }
        case 'status':
          if (msg.runId === s.runId) set({ status: msg.status });
          return;
        case 'stopped':
          if (msg.runId !== s.runId) return;
          progress.flush();
          set({ status: msg.status, epoch: Math.max(get().epoch, msg.epoch), notice: msg.message ?? get().notice });
          // The run was rewound to the last good epoch: drop what came after it.
          if (msg.status === 'diverged') progress.rewindTo(msg.epoch);
          keeping.stopped(msg.status);
          explaining.request();
          return;
      }
    }
  });
  return store;
}

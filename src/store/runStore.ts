// The page's state: one vanilla zustand store (no React here), fed by the engine worker. Updates
// from the worker are gathered and applied once per animation frame, so a fast run redraws the
// page at most at the display's rate, never per GPU dispatch.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { checkSettings, SEED_SETTINGS, type RunSettings, type SettingIssue } from '../train/settings';
import type { EpochMetrics } from '../train/trainer';
import type { DatasetSource, ExplanationData, FromWorker, RunInfo, RunStatus, SnapshotData, Speed } from '../worker/protocol';
import type { EngineLink } from './engineLink';
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

export interface RunState {
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
  explanation: ExplanationData | null;
  explainError: string | null;
  explaining: boolean;
  /** Something the run did that the user should know (it diverged, ...). */
  notice: string | null;
}

export interface RunActions {
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
  dismissIssues(): void;
  dismissNotice(): void;
}

export type RunStore = StoreApi<RunState & RunActions>;

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

  const store = createStore<RunState & RunActions>()((set, get) => {
    const send = env.link.send.bind(env.link);

    const writeUrl = () => {
      if (!env.writeSearch) return;
      const s = get();
      const info = s.info;
      let pair: { user: string; item: string } | null = null;
      if (info && s.pair && !isDefaultPair(info, s.pair)) pair = { user: info.userNames[s.pair.user], item: info.itemNames[s.pair.item] };
      else if (!info && wantedPair.user && wantedPair.item) pair = { user: wantedPair.user, item: wantedPair.item };
      env.writeSearch(urlQuery(s.settings, pair));
    };

    const newRun = () => {
      const runId = get().runId + 1;
      pending = null;
      inFlight = null;
      set({
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
      });
      send({ type: 'reset', runId, settings: get().settings, dataset: get().dataset });
    };

    return {
      phase: 'starting',
      fatal: null,
      adapterName: null,
      settings: fromUrl.settings,
      issues: fromUrl.issues,
      dataset: { kind: 'toy' },
      datasetLabel: 'Toy: the seed’s case study',
      runId: 0,
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
      speed: 60,
      stepSize: 10,
      view: { layer: fromUrl.settings.layers, head: 'mean', direction: 'rates' },
      pair: null,
      explanation: null,
      explainError: null,
      explaining: false,
      notice: null,

      start() {
        env.link.listen(receive, (message) => set({ phase: 'failed', fatal: `The training engine stopped: ${message}` }));
        // A link with odd values is rewritten to what the run really uses (the message says what changed).
        if (fromUrl.issues.length > 0) writeUrl();
        const begin = (csv: string | undefined) => {
          set({ dataset: { kind: 'toy', csv } });
          newRun();
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
        const next = { user: pair.user ?? s.pair?.user ?? 0, item: pair.item ?? s.pair?.item ?? 0 };
        if (next.user < 0 || next.user >= s.info.numUsers || next.item < 0 || next.item >= s.info.numItems) return;
        wantedPair = { user: s.info.userNames[next.user], item: s.info.itemNames[next.item] };
        set({ pair: next });
        writeUrl();
        requestExplanation();
      },
      loadDataset(dataset, label) {
        wantedPair = { user: null, item: null };
        set({ dataset, datasetLabel: label, pair: null });
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
      const s = get();
      switch (msg.type) {
        case 'noWebGPU':
          set({ phase: 'noWebGPU', fatal: msg.message });
          return;
        case 'error':
          if (msg.fatal) set({ phase: 'failed', fatal: msg.message, status: 'idle' });
          else if (msg.runId === s.runId) set({ runError: msg.message, status: s.info ? 'idle' : s.status, phase: 'ready' });
          return;
        case 'ready': {
          if (msg.info.runId !== s.runId) return;
          const info = msg.info;
          const snaps = new Map([[0, msg.snapshot]]);
          const pair = resolvePair(info, wantedPair);
          set({
            phase: 'ready',
            adapterName: info.adapterName,
            info,
            settings: info.settings,
            epoch: 0,
            history: [],
            recall0: msg.recall,
            snapshots: snaps,
            kept: [0],
            live: msg.snapshot,
            pair,
            view: { ...s.view, layer: Math.min(Math.max(1, s.view.layer), info.layers), head: s.view.head === 'mean' || s.view.head < info.heads ? s.view.head : 'mean' },
          });
          requestExplanation();
          return;
        }
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
          if (msg.status === 'diverged') {
            // The run was rewound to the last good epoch: drop what came after it.
            const keep = (e: number) => e <= msg.epoch;
            const st = get();
            const snapshots = new Map([...st.snapshots].filter(([e]) => keep(e)));
            set({
              epoch: msg.epoch,
              history: st.history.filter((m) => keep(m.epoch)),
              snapshots,
              kept: st.kept.filter(keep),
              live: st.live && keep(st.live.epoch) ? st.live : snapshots.get(Math.max(...snapshots.keys())) ?? null,
            });
          }
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

function isDefaultPair(info: RunInfo, pair: Pair): boolean {
  const d = defaultPair(info);
  return d !== null && d.user === pair.user && d.item === pair.item;
}

/** The first test rating (Tim and The Avengers in the toy), else the first rating. */
export function defaultPair(info: RunInfo): Pair | null {
  const { user, item, train } = info.ratings;
  if (user.length === 0) return null;
  let r = train.indexOf(0);
  if (r < 0) r = 0;
  return { user: user[r], item: item[r] };
}

function resolvePair(info: RunInfo, wanted: { user: string | null; item: string | null }): Pair | null {
  const d = defaultPair(info);
  if (!d) return null;
  const u = wanted.user === null ? -1 : info.userNames.indexOf(wanted.user);
  const i = wanted.item === null ? -1 : info.itemNames.indexOf(wanted.item);
  return { user: u >= 0 ? u : d.user, item: i >= 0 ? i : d.item };
}

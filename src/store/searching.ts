// The Search card's side of the store: KNN-MIPS's R, T and E as the user sets them (checked as the
// command line checks its flags, clamped and reported), one comparison with the exact top-K at a
// time in the engine worker, and the last one's report for the current run.
import { checkSearchSettings, SEARCH_DEFAULTS, type SearchIssue, type SearchSettings } from '../search/settings';
import type { FromWorker, SearchReport, ToWorker } from '../worker/protocol';

export interface SearchState {
  searchSettings: SearchSettings;
  /** What was odd about the values last typed. */
  searchIssues: SearchIssue[];
  /** The current run's last comparison, or null. */
  searchReport: SearchReport | null;
  searchError: string | null;
  searching: boolean;
}

export interface SearchActions {
  setSearchSettings(patch: Partial<Record<keyof SearchSettings, unknown>>): void;
  /** Compares KNN-MIPS with the exact top-K on the current epoch (queued behind the worker's other GPU jobs). */
  runSearch(): void;
}

/** What the search needs of the store. */
export interface SearchContext {
  get(): SearchState & { runId: number; info: object | null };
  set(patch: Partial<SearchState>): void;
  send(message: ToWorker): void;
}

export function createSearching(ctx: SearchContext) {
  let requestSeq = 0;
  let inFlight: number | null = null;
  const actions: SearchActions = {
    setSearchSettings(patch) {
      const { settings, issues } = checkSearchSettings(patch, ctx.get().searchSettings);
      ctx.set({ searchSettings: settings, searchIssues: issues });
    },
    runSearch() {
      const s = ctx.get();
      if (!s.info || inFlight !== null) return;
      inFlight = ++requestSeq;
      ctx.set({ searching: true, searchError: null });
      ctx.send({ type: 'search', requestId: inFlight, runId: s.runId, settings: s.searchSettings });
    },
  };
  return {
    initial: { searchSettings: SEARCH_DEFAULTS, searchIssues: [], searchReport: null, searchError: null, searching: false } satisfies SearchState,
    actions,
    /** A new run: a report (or a reply still to come) belongs to the run before. */
    reset(): Partial<SearchState> {
      inFlight = null;
      return { searchReport: null, searchError: null, searching: false };
    },
    /** Handles the engine's reply to a search; false for any other message. */
    receive(msg: FromWorker): boolean {
      if (msg.type !== 'searched') return false;
      if (msg.requestId !== inFlight) return true;
      inFlight = null;
      ctx.set({ searching: false, searchError: msg.error ?? null, ...(msg.report && { searchReport: msg.report }) });
      return true;
    },
  };
}

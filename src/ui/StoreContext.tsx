// React's view of the run store: components read slices with useRun(selector).
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { RunActions, RunState, RunStore } from '../store/runStore';

const StoreContext = createContext<RunStore | null>(null);

export function StoreProvider({ store, children }: { store: RunStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

function useRunStore(): RunStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useRun outside StoreProvider');
  return store;
}

/** A slice of the run state (compared by identity). */
export function useRun<T>(selector: (s: RunState & RunActions) => T): T {
  return useStore(useRunStore(), selector);
}

/** A slice made of several fields (compared field by field). */
export function useRunShallow<T extends object>(selector: (s: RunState & RunActions) => T): T {
  return useStore(useRunStore(), useShallow(selector));
}

/** The store's actions (stable). */
export function useActions(): RunActions {
  return useRunStore().getState();
}

import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import type { AppState, Store } from "../store";

export const StoreContext = createContext<Store | null>(null);

// The store and its current state; re-renders on every change.
export function useApp(): [AppState, Store] {
  const store = useContext(StoreContext)!;
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((n) => n + 1)), [store]);
  return [store.state, store];
}

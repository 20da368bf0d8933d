import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import type { AppState, Store } from "../store";

export const StoreContext = createContext<Store | null>(null);

// The store and its current state; re-renders on every change.
export function useApp(): [AppState, Store] {
  const store = useContext(StoreContext)!;
  const [, setTick] = useState(0);
  const rendered = store.state;
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    const unsubscribe = store.subscribe(update);
    // Effects run after the browser paints: a change in between (a quick first
    // answer of GET /v1/session) found no listener, and the page stayed on Loading.
    if (store.state !== rendered) update();
    return unsubscribe;
  }, [store]);
  return [rendered, store];
}

// Undo and redo over whole documents: every edit makes a new graph value (never
// mutated), so a step back is just the previous value. Moves while dragging are
// merged into one step by the caller (it commits on drag stop).

export type History<T> = { past: T[]; present: T; future: T[] };

const kLimit = 200;

export const startHistory = <T>(present: T): History<T> => ({ past: [], present, future: [] });

export function commit<T>(h: History<T>, next: T): History<T> {
  if (next === h.present) return h;
  const past = [...h.past, h.present];
  if (past.length > kLimit) past.shift();
  return { past, present: next, future: [] };
}

// Changes the present without a step of its own (e.g. a node being dragged).
export const replacePresent = <T>(h: History<T>, next: T): History<T> => ({ ...h, present: next });

export function undo<T>(h: History<T>): History<T> {
  if (h.past.length === 0) return h;
  return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [h.present, ...h.future] };
}

export function redo<T>(h: History<T>): History<T> {
  if (h.future.length === 0) return h;
  return { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1) };
}

export const canUndo = <T>(h: History<T>) => h.past.length > 0;
export const canRedo = <T>(h: History<T>) => h.future.length > 0;

// Ends a gesture that changed the present step by step (replacePresent): one undo
// step back to where it started.
export function commitSince<T>(h: History<T>, origin: T): History<T> {
  if (origin === h.present) return h;
  const past = [...h.past, origin];
  if (past.length > kLimit) past.shift();
  return { past, present: h.present, future: [] };
}

// Undo and redo over whole drafts. Typing in one field coalesces into one step (same field within a second).
import { useCallback, useState } from "react";

interface History<T> {
  past: T[];
  present: T;
  future: T[];
  lastKey: string | null;
  lastAt: number;
}

const LIMIT = 100;
const COALESCE_MS = 1000;

export function useHistory<T>(initial: T) {
  const [history, setHistory] = useState<History<T>>({ past: [], present: initial, future: [], lastKey: null, lastAt: 0 });

  /** Records a new present; `key` names the field being typed into, so keystrokes merge into one undo step. */
  const apply = useCallback((next: T, key: string | null = null) => {
    setHistory((h) => {
      const now = Date.now();
      if (key !== null && key === h.lastKey && now - h.lastAt < COALESCE_MS) return { ...h, present: next, future: [], lastAt: now };
      return { past: [...h.past, h.present].slice(-LIMIT), present: next, future: [], lastKey: key, lastAt: now };
    });
  }, []);
  const undo = useCallback(() => {
    setHistory((h) => (h.past.length ? { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [h.present, ...h.future], lastKey: null, lastAt: 0 } : h));
  }, []);
  const redo = useCallback(() => {
    setHistory((h) => (h.future.length ? { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1), lastKey: null, lastAt: 0 } : h));
  }, []);

  return { present: history.present, apply, undo, redo, canUndo: history.past.length > 0, canRedo: history.future.length > 0 };
}

/**
 * In-process change notices between modules ("facilities changed"), so caches drop stale data at
 * once in the process that made the change. Other replicas rely on their caches' short lifetimes.
 */
type Topic = "facilities";
const listeners = new Map<Topic, Set<() => void>>();

export function onChanged(topic: Topic, listener: () => void): void {
  let set = listeners.get(topic);
  if (!set) {
    set = new Set();
    listeners.set(topic, set);
  }
  set.add(listener);
}

export function notifyChanged(topic: Topic): void {
  for (const listener of listeners.get(topic) ?? []) listener();
}

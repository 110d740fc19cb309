/** Work over items in lanes: one key's items in order, several keys side by side. */
/**
 * Runs `work` over the items, those of one key one after another in the given order, at most
 * `limit` keys at a time. Resolves once every item is done; `work` must not throw (a delivery
 * settles its own failures).
 */
export async function inOrderPerKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const queue = queues.get(key);
    if (queue) queue.push(item);
    else queues.set(key, [item]);
  }
  const pending = [...queues.values()];
  const lane = async () => {
    for (let queue = pending.shift(); queue; queue = pending.shift())
      for (const item of queue) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, pending.length) }, lane));
}

// At most `limit` tasks at once; tasks that share a key run one after another in the order
// they were added, while tasks with no key in common run beside them. Knows nothing of HTTP:
// batch hands it tasks and the keys of the lines (see batch-keys.ts).

interface Waiting {
  readonly keys: readonly string[];
  readonly start: () => void;
}

export class KeyedQueue {
  /** Per key, the tasks holding or waiting for it, oldest first. */
  private readonly holders = new Map<string, Waiting[]>();
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(private limit: number) {}

  /** Tasks allowed at once. */
  get allowed(): number {
    return this.limit;
  }

  /** Allows more tasks at once (never fewer), starting those that were waiting for a slot. */
  raise(limit: number): void {
    if (limit <= this.limit) return;
    this.limit = limit;
    this.startReady();
  }

  /** Tasks started and not yet finished. */
  get active(): number {
    return this.running;
  }

  /** Runs `task` once no earlier task with one of its keys is unfinished and a slot is free. */
  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = {
        keys,
        start: () => {
          this.running++;
          task().then(resolve, reject).finally(() => this.finish(entry));
        },
      };
      for (const k of keys) {
        const list = this.holders.get(k);
        if (list) list.push(entry);
        else this.holders.set(k, [entry]);
      }
      this.waiting.push(entry);
      this.startReady();
    });
  }

  private finish(entry: Waiting): void {
    this.running--;
    for (const k of entry.keys) {
      const list = this.holders.get(k)!;
      list.splice(list.indexOf(entry), 1);
      if (list.length === 0) this.holders.delete(k);
    }
    this.startReady();
  }

  /** Starts, oldest first, every waiting task that is first in line for all its keys, while slots are free. */
  private startReady(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.limit; ) {
      const entry = this.waiting[i];
      if (entry.keys.every((k) => this.holders.get(k)![0] === entry)) {
        this.waiting.splice(i, 1);
        entry.start();
      } else i++;
    }
  }
}

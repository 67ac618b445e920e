/** The set of `onAppended` listeners of one store: each is called after a commit; a throwing one is isolated. */
export class Listeners {
  private readonly set = new Set<() => void>();

  add(listener: () => void): () => void {
    const wrapped = () => listener();
    this.set.add(wrapped);
    return () => {
      this.set.delete(wrapped);
    };
  }

  notify(): void {
    for (const l of this.set) {
      try {
        l();
      } catch (error) {
        // A listener's bug must not break the store's flush or crash the process: report it.
        process.emitWarning(`onAppended listener threw: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
  }

  get size(): number {
    return this.set.size;
  }
}

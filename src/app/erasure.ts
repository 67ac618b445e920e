import type { PiiVault } from '../domain/pii.ts';
import type { EventStore } from '../store/eventStore.ts';

/**
 * Carries out PersonalDataErased: shreds the subject's vault key once the event is durable. It follows
 * the store from the start on every boot, so an erasure whose process died between the append and the
 * shredding is completed at the next start (vault.erase is idempotent).
 */
export async function followErasures(
  store: EventStore,
  vault: PiiVault,
  onError: (e: unknown) => void,
): Promise<() => void> {
  let position = 0;
  let running: Promise<void> | undefined;
  const drain = async () => {
    for (;;) {
      const page = await store.readAll({ fromPosition: position, max: 1000, recent: true });
      if (page.events.length === 0) return;
      for (const e of page.events) {
        if (e.type === 'PersonalDataErased') await vault.erase(String(e.data.subjectId));
      }
      position = page.nextPosition;
    }
  };
  const wake = () => {
    running = (running ?? Promise.resolve()).then(drain).catch(onError);
  };
  await drain();
  const off = store.onAppended(wake);
  return off;
}

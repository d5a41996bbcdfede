/**
 * Other modules' index.ts, loaded when present. The web module sits on top of every capability and
 * must start even in a tree where one of them is not there (yet): a missing module means a missing
 * screen or a 501, never a platform that fails to load.
 */
const cache = new Map<string, Promise<unknown>>();
export function optionalModule<T = Record<string, unknown>>(name: string): Promise<T | null> {
  if (!cache.has(name)) {
    cache.set(
      name,
      import(`../${name}/index.ts`).catch((e: NodeJS.ErrnoException) => {
        if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(`/${name}/index.ts`)) return null;
        throw e;
      }),
    );
  }
  return cache.get(name) as Promise<T | null>;
}

/**
 * aws-local-stepfunctions 3 calls Promise.withResolvers, which Node.js has from version 22. On
 * Node 20 every Task would fail with an ExecutionError (and a `Catch: States.ALL` would swallow
 * it silently), so the local runtime adds it first. Same behaviour as the standard method.
 */
const promise = Promise as unknown as { withResolvers?: () => unknown };
if (typeof promise.withResolvers !== 'function') {
  promise.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const p = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: p, resolve, reject };
  };
}

/**
 * Returns a response whose body calls `onFinish` exactly once: after the last chunk was read,
 * when the reader cancels (client went away), or when the source errors.
 */
export function onBodyFinished(res: Response, onFinish: () => void): Response {
  const source = res.body;
  if (source === null) {
    onFinish();
    return res;
  }
  const reader = source.getReader();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    onFinish();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            finish();
          } else {
            controller.enqueue(value);
          }
        } catch (err) {
          controller.error(err);
          finish();
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
